/**
 * Every string that goes into an XML document we write (RSS, Atom, OPML) goes through these,
 * so no input can change the document's structure: text and attribute values are escaped,
 * never wrapped in CDATA (a CDATA section ends at the first "]]>" its text holds).
 */

/**
 * Characters XML 1.0 forbids (§2.2 Char: C0 controls other than TAB/LF/CR, U+FFFE, U+FFFF
 * and unpaired surrogates): a single one makes the whole document ill-formed.
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlSafe(text: string): string {
  return text.replace(FORBIDDEN, '');
}

/** Character data (§2.4): `&` and `<` start markup, and `>` would close "]]>". */
export function xmlText(text: string): string {
  return xmlSafe(text).replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/**
 * A double-quoted attribute value (§3.1, §3.3.3): `&`, `<` and `"` escaped, and TAB, LF and
 * CR as character references, which attribute-value normalization would otherwise turn into
 * spaces.
 */
export function xmlAttribute(text: string): string {
  return xmlSafe(text).replace(/[&<>"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]!);
}

const ATTRIBUTE_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

export type Attributes = Record<string, string | number | null | undefined>;

function attributes(attrs: Attributes): string {
  let out = '';
  for (const [name, value] of Object.entries(attrs)) if (value !== null && value !== undefined) out += ` ${name}="${xmlAttribute(String(value))}"`;
  return out;
}

/** An element with escaped text content (null: no element at all). */
export function textElement(name: string, text: string | null | undefined, attrs: Attributes = {}): string {
  if (text === null || text === undefined) return '';
  return `<${name}${attributes(attrs)}>${xmlText(text)}</${name}>`;
}

/** An element whose children are already-written XML (from these functions). */
export function element(name: string, attrs: Attributes, children: readonly string[] = []): string {
  const content = children.join('');
  return content === '' ? `<${name}${attributes(attrs)}/>` : `<${name}${attributes(attrs)}>${content}</${name}>`;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';
