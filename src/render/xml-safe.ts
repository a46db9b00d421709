/**
 * Characters XML 1.0 forbids (§2.2 Char: C0 controls other than TAB/LF/CR, U+FFFE,
 * U+FFFF and unpaired surrogates). The `feed` package emits them as they are, which
 * makes the whole document ill-formed, so every string is cleaned before rendering.
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlSafe(text: string): string {
  return text.replace(FORBIDDEN, '');
}

/** For attribute values the `feed` package passes through unescaped (extension objects). */
export function xmlAttribute(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;');
}
