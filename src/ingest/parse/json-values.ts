/**
 * Reading untrusted JSON values: every field of a JSON Feed may have any type, so a field is
 * read only when it has the type it should (a number stands in for a string where noted) and is
 * skipped otherwise, never coerced from an object or an array.
 */

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own member only: `constructor` or `__proto__` must not reach Object.prototype. */
export function member(object: JsonObject, name: string): unknown {
  return Object.hasOwn(object, name) ? object[name] : undefined;
}

/** A string member, cleaned; null when absent or of another type. */
export function stringMember(object: JsonObject, name: string): string | null {
  const value = member(object, name);
  return typeof value === 'string' ? storableText(value) : null;
}

/**
 * A string member, or a finite number written as a string (JSON Feed 1.1, "Suggestions for Feed
 * Readers": an id given as a number is coerced; a title or tag of 2024 is text too).
 */
export function textMember(object: JsonObject, name: string): string | null {
  return textValue(member(object, name));
}

export function textValue(value: unknown): string | null {
  if (typeof value === 'string') return storableText(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** An array member's elements; [] when absent or not an array. */
export function arrayMember(object: JsonObject, name: string): unknown[] {
  const value = member(object, name);
  return Array.isArray(value) ? value : [];
}

/**
 * JSON escapes can spell characters the XML path never lets through (decode.ts drops raw C0
 * controls, entity-references.ts drops or replaces references to them): `\u0000`, which
 * PostgreSQL text cannot hold, and lone surrogates, which XML cannot. The same rule here: C0
 * controls other than TAB, LF and CR are dropped; lone surrogates and U+FFFE/U+FFFF become U+FFFD.
 */
export function storableText(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]+/g, '')
    .replace(/[\uFFFE\uFFFF]/g, '\uFFFD')
    .toWellFormed();
}
