/**
 * The pre-pass over text constructs: Atom `type="xhtml"` / inline-markup content is wrapped in
 * CDATA so its markup survives in document order (xml2js would regroup it by element name).
 */
import { ATOM03_NS, ATOM_NS, CANONICAL_PREFIXES, type NamespaceMap } from './namespaces.ts';

/** Text constructs whose child elements are markup to keep as HTML, in the feed vocabularies (Atom, RSS, content, xhtml). */
const TEXT_CONSTRUCT_START = /<((?:[A-Za-z_][\w.-]{0,63}:)?(?:title|subtitle|tagline|summary|content|description|encoded|body|info|rights|copyright))(?=[\s/>])/
  .source;
const MARKUP_NAMESPACES: ReadonlySet<string | undefined> = new Set(['', 'atom', 'content', 'xhtml']);

/**
 * Atom `type="xhtml"` content (RFC 4287 §3.1.1.3), Atom 0.3 `mode="xml"` and naked markup in
 * RSS descriptions arrive as child elements. xml2js would group them by name and lose their
 * order, so the element's inner XML is wrapped in a CDATA section (CDATA sections inside it
 * become escaped text) and the element is marked type="xhtml" when it has no type.
 */
export function wrapInlineMarkupInCdata(text: string, namespaces: NamespaceMap): string {
  const parts: string[] = [];
  let copiedUpTo = 0;
  const unclosed = new Set<string>();
  const starts = new RegExp(TEXT_CONSTRUCT_START, 'g');
  for (let match = starts.exec(text); match !== null; match = starts.exec(text)) {
    if (match.index < copiedUpTo) continue;
    const name = match[1]!;
    if (unclosed.has(name) || !isMarkupVocabulary(name, namespaces)) continue;
    const startTagEnd = text.indexOf('>', match.index + name.length + 1);
    if (startTagEnd === -1) break;
    if (text.charCodeAt(startTagEnd - 1) === 0x2f /* / */) continue;
    const endTag = findMatchingEndTag(text, name, startTagEnd + 1);
    if (endTag === -1) {
      unclosed.add(name);
      continue;
    }
    const inner = text.slice(startTagEnd + 1, endTag);
    if (!hasChildElements(inner)) continue;
    const attributes = text.slice(match.index + 1 + name.length, startTagEnd);
    const typed = /(?:^|\s)type\s*=/.test(attributes) ? attributes : `${attributes} type="xhtml"`;
    parts.push(text.slice(copiedUpTo, match.index), `<${name}${typed}><![CDATA[`, innerXmlAsCdataText(inner), ']]>');
    copiedUpTo = endTag;
    starts.lastIndex = endTag;
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(copiedUpTo));
  return parts.join('');
}

function isMarkupVocabulary(name: string, namespaces: NamespaceMap): boolean {
  const colon = name.indexOf(':');
  if (colon === -1) return true;
  const uri = namespaces.get(name.slice(0, colon));
  if (uri === undefined) return false;
  if (uri === ATOM_NS || uri === ATOM03_NS) return true;
  return MARKUP_NAMESPACES.has(CANONICAL_PREFIXES[uri]);
}

/** Offset of the `</name>` closing the element whose content starts at `from`, counting nested same-name elements. */
function findMatchingEndTag(text: string, name: string, from: number): number {
  let depth = 1;
  let pos = from;
  for (;;) {
    const close = findTag(text, `</${name}`, pos);
    if (close === -1) return -1;
    const open = findTag(text, `<${name}`, pos);
    if (open !== -1 && open < close) {
      const openEnd = text.indexOf('>', open);
      if (openEnd !== -1 && text.charCodeAt(openEnd - 1) !== 0x2f) depth++;
      pos = open + name.length + 1;
      continue;
    }
    depth--;
    if (depth === 0) return close;
    pos = close + name.length + 2;
  }
}

/** indexOf for a tag opener, requiring a name boundary after it. */
function findTag(text: string, opener: string, from: number): number {
  for (let at = text.indexOf(opener, from); at !== -1; at = text.indexOf(opener, at + 1)) {
    const next = text.charCodeAt(at + opener.length);
    if (next === 0x3e || next === 0x2f || next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d) return at;
  }
  return -1;
}

function hasChildElements(inner: string): boolean {
  for (let lt = inner.indexOf('<'); lt !== -1; lt = inner.indexOf('<', lt + 1)) {
    if (inner.startsWith('<![CDATA[', lt)) {
      lt = inner.indexOf(']]>', lt);
      if (lt === -1) return false;
    } else if (inner.startsWith('<!--', lt)) {
      lt = inner.indexOf('-->', lt);
      if (lt === -1) return false;
    } else if (/[A-Za-z_]/.test(inner.charAt(lt + 1))) {
      return true;
    }
  }
  return false;
}

/** Inner XML as CDATA text: nested CDATA sections become escaped text, and "]]>" cannot end the section early. */
function innerXmlAsCdataText(inner: string): string {
  const [before, ...sections] = inner.split('<![CDATA[');
  const pieces = [before!];
  for (const section of sections) {
    const end = section.indexOf(']]>');
    const cdata = end === -1 ? section : section.slice(0, end);
    pieces.push(cdata.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), end === -1 ? '' : section.slice(end + 3));
  }
  return pieces.join('').replace(/\]\]>/g, ']]]]><![CDATA[>');
}
