/**
 * Recovery for documents that are not well-formed: the one repair attempted after the XML
 * parser rejected a document.
 */
import { endOfDoctype } from './xml-scan.ts';

/**
 * One linear pass over the tags: end tags that close nothing open are dropped, an end tag that
 * closes an outer element closes the inner ones first, a construct cut off at the end of the
 * document is removed, and elements still open at the end are closed. Returns the input
 * unchanged when the tag structure was already balanced.
 */
export function repairElementStructure(text: string): string {
  const parts: string[] = [];
  const open = new OpenElements();
  let copiedUpTo = 0;
  let changed = false;
  let pos = 0;
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    if (lt === -1) break;
    const token = readToken(text, lt);
    if (token === null) {
      // cut off mid-construct: drop the fragment
      parts.push(text.slice(copiedUpTo, lt));
      copiedUpTo = text.length;
      changed = true;
      break;
    }
    if (token.kind === 'stray') {
      parts.push(text.slice(copiedUpTo, lt), '&lt;');
      copiedUpTo = lt + 1;
      changed = true;
    }
    if (token.kind === 'start') open.push(token.name);
    if (token.kind === 'end') {
      if (!open.contains(token.name)) {
        parts.push(text.slice(copiedUpTo, lt));
        copiedUpTo = token.end;
        changed = true;
      } else {
        const innerOnes = open.popThrough(token.name);
        if (innerOnes.length > 0) {
          parts.push(text.slice(copiedUpTo, lt), closingTags(innerOnes));
          copiedUpTo = lt;
          changed = true;
        }
      }
    }
    pos = token.end;
  }
  if (!changed && open.size === 0) return text;
  parts.push(text.slice(copiedUpTo), closingTags(open.popAll()));
  return parts.join('');
}

/** The stack of open elements, with per-name counts so "is it open at all?" is O(1) even when deep. */
class OpenElements {
  private readonly stack: string[] = [];
  private readonly counts = new Map<string, number>();

  get size(): number {
    return this.stack.length;
  }

  push(name: string): void {
    this.stack.push(name);
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  contains(name: string): boolean {
    return (this.counts.get(name) ?? 0) > 0;
  }

  /** Pops up to and including the innermost `name`; returns the elements above it, outermost first. */
  popThrough(name: string): string[] {
    const above: string[] = [];
    for (let top = this.pop(); top !== undefined && top !== name; top = this.pop()) above.push(top);
    return above.reverse();
  }

  /** Pops everything; outermost first. */
  popAll(): string[] {
    const all = [...this.stack];
    while (this.pop() !== undefined);
    return all;
  }

  private pop(): string | undefined {
    const top = this.stack.pop();
    if (top !== undefined) this.counts.set(top, this.counts.get(top)! - 1);
    return top;
  }
}

function closingTags(names: string[]): string {
  let tags = '';
  for (let i = names.length - 1; i >= 0; i--) tags += `</${names[i]}>`;
  return tags;
}

interface Token {
  /** 'stray': a "<" that starts no markup (text to escape). */
  kind: 'start' | 'end' | 'other' | 'stray';
  name: string;
  /** Offset just past the token. */
  end: number;
}

/** Reads the markup token at `lt`; null when the document ends inside it. */
function readToken(text: string, lt: number): Token | null {
  const sections: Array<[string, string]> = [
    ['<!--', '-->'],
    ['<![CDATA[', ']]>'],
    ['<?', '?>'],
  ];
  for (const [opener, terminator] of sections) {
    if (text.startsWith(opener, lt)) {
      const end = text.indexOf(terminator, lt + opener.length);
      return end === -1 ? null : { kind: 'other', name: '', end: end + terminator.length };
    }
  }
  if (text.startsWith('<!', lt)) {
    const end = endOfDoctype(text, lt);
    return end >= text.length && !text.endsWith('>') ? null : { kind: 'other', name: '', end };
  }
  const isEnd = text.charCodeAt(lt + 1) === 0x2f;
  const name = /[A-Za-z_][\w:.-]*/y;
  name.lastIndex = lt + (isEnd ? 2 : 1);
  const found = name.exec(text);
  if (found === null) return { kind: 'stray', name: '', end: lt + 1 };
  // A ">" inside an attribute value ends the tag early here; harmless for finding the structure.
  const close = text.indexOf('>', name.lastIndex);
  if (close === -1) return null;
  if (isEnd) return { kind: 'end', name: found[0], end: close + 1 };
  const selfClosing = text.charCodeAt(close - 1) === 0x2f;
  return { kind: selfClosing ? 'other' : 'start', name: found[0], end: close + 1 };
}
