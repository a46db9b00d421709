/**
 * The pre-pass over entity references: bare `&` and unknown entity names become text, and
 * entities declared in the internal DTD subset are substituted (without recursion, with a size
 * budget).
 */
import { NAMED_ENTITIES, XML_PREDEFINED_ENTITIES } from '../../text/html-text.ts';
import { endOf } from './xml-scan.ts';

/**
 * General entities declared in the internal DTD subset (XML 1.0 §4.2) whose value is plain text.
 * sax does not expand DTD entities, so the pre-pass substitutes these. Values with markup or
 * references are not expanded (no recursion, so no "billion laughs").
 */
export function collectInternalEntities(prolog: string): Map<string, string> {
  const entities = new Map<string, string>();
  if (!prolog.includes('<!ENTITY')) return entities;
  const declaration = /<!ENTITY\s+([A-Za-z_][\w.-]{0,63})\s+(?:"([^"]{0,1000})"|'([^']{0,1000})')\s*>/g;
  for (let match = declaration.exec(prolog); match !== null && entities.size < 100; match = declaration.exec(prolog)) {
    const value = match[2] ?? match[3]!;
    // Quotes are escaped so a substitution inside an attribute value cannot end it early.
    if (!value.includes('&') && !value.includes('<') && !entities.has(match[1]!))
      entities.set(match[1]!, value.replace(/"/g, '&quot;').replace(/'/g, '&apos;'));
  }
  return entities;
}

/** At most this many characters are added by substituting declared entities (defeats quadratic blow-up). */
const ENTITY_EXPANSION_BUDGET = 1_000_000;

const REFERENCE_AFTER_AMPERSAND = /#([0-9]{1,7});|#[xX]([0-9a-fA-F]{1,6});|([A-Za-z_][\w.-]{0,63});/y;

/**
 * Outside CDATA sections and comments, rewrites every `&` a strict parser would reject:
 * a bare `&` becomes `&amp;`; a named reference that is neither XML's, HTML 4's (which sax
 * resolves) nor declared in the DTD becomes literal text; a numeric reference to a character
 * XML forbids (XML 1.0 §2.2, §4.1 WFC: Legal Character) is dropped when it is a C0 control (as
 * decode drops raw ones) and becomes U+FFFD otherwise. One pass, copy on write.
 */
export function repairEntityReferences(text: string, declared: Map<string, string>): string {
  if (!text.includes('&')) return text;
  const parts: string[] = [];
  let copiedUpTo = 0;
  let budget = ENTITY_EXPANSION_BUDGET;
  // One global regex drives the scan: V8 has been measured (Node 20) to turn an optimized
  // indexOf loop over a large two-byte string quadratic, 50 s for 5 MB; the regex stays linear.
  const scanner = /&|<!\[CDATA\[|<!--/g;
  for (let found = scanner.exec(text); found !== null; found = scanner.exec(text)) {
    const at = found.index;
    if (found[0] !== '&') {
      scanner.lastIndex = endOfOpaqueSection(text, at);
      continue;
    }
    REFERENCE_AFTER_AMPERSAND.lastIndex = at + 1;
    const match = REFERENCE_AFTER_AMPERSAND.exec(text);
    const end = match === null ? at + 1 : at + 1 + match[0].length;
    scanner.lastIndex = end;
    let replacement: string | null;
    if (match === null) {
      replacement = '&amp;';
    } else if (match[3] !== undefined) {
      const value = declared.get(match[3]);
      if (value !== undefined && budget >= value.length) {
        budget -= value.length;
        replacement = value;
      } else {
        replacement = isKnownEntity(match[3]) ? null : `&amp;${match[3]};`;
      }
    } else {
      const codePoint = match[1] !== undefined ? Number.parseInt(match[1], 10) : Number.parseInt(match[2]!, 16);
      replacement = isXmlChar(codePoint) ? null : codePoint < 0x20 ? '' : '&#xFFFD;';
    }
    if (replacement !== null) {
      parts.push(text.slice(copiedUpTo, at), replacement);
      copiedUpTo = end;
    }
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(copiedUpTo));
  return parts.join('');
}

/** Names sax resolves without a DTD: XML's five and HTML 4's. */
function isKnownEntity(name: string): boolean {
  return XML_PREDEFINED_ENTITIES.has(name) || NAMED_ENTITIES.has(name);
}

/** The end of the CDATA section or comment starting at `at`. */
function endOfOpaqueSection(text: string, at: number): number {
  if (text.startsWith('<![CDATA[', at)) return endOf(text, ']]>', at + 9);
  return endOf(text, '-->', at + 4);
}

/** XML 1.0 §2.2 Char. */
function isXmlChar(codePoint: number): boolean {
  if (codePoint < 0x20) return codePoint === 0x09 || codePoint === 0x0a || codePoint === 0x0d;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return false;
  return codePoint !== 0xfffe && codePoint !== 0xffff && codePoint <= 0x10ffff;
}
