/**
 * Readers of raw XML text shared by format detection, the pre-pass and structure repair: they
 * work on the text as written, before any XML parser has seen it.
 */

/** Offset just past the first `terminator` at or after `from`; the end of the text when there is none. */
export function endOf(text: string, terminator: string, from: number): number {
  const end = text.indexOf(terminator, from);
  return end === -1 ? text.length : end + terminator.length;
}

/** `<!DOCTYPE name [internal subset]>`: the subset may contain ">" inside declarations. */
export function endOfDoctype(text: string, start: number): number {
  const bracket = text.indexOf('[', start);
  const close = text.indexOf('>', start);
  if (close === -1) return text.length;
  if (bracket === -1 || bracket > close) return close + 1;
  const subsetEnd = text.indexOf(']', bracket);
  return subsetEnd === -1 ? text.length : endOf(text, '>', subsetEnd);
}

/** An attribute's value from a start tag's attribute text, as written; null when absent. */
export function attributeOf(attributes: string, name: string): string | null {
  const pattern = new RegExp(`(?:^|\\s)${name.replace(/[.:]/g, '\\$&')}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`);
  const match = pattern.exec(attributes);
  return match === null ? null : (match[1] ?? match[2] ?? null);
}
