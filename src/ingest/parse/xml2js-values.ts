/** Reading the xml2js values rss-parser copied under `raw:<element>`: texts and attributes. */
import { RAW, type RawRecord } from './run-rss-parser.ts';

export interface XmlElement {
  _?: unknown;
  $?: Record<string, unknown>;
  [child: string]: unknown;
}

/** The raw xml2js array rss-parser copied for an element (empty when absent). */
export function fieldValues(raw: RawRecord, element: string): unknown[] {
  const value = raw[RAW + element];
  return Array.isArray(value) ? value : [];
}

export function first<T>(values: T[]): T | undefined {
  return values[0];
}

export function isElement(value: unknown): value is XmlElement {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text content of an xml2js value: a string, or an element's character data (`_`); '' for an empty element. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isElement(value)) return typeof value._ === 'string' ? value._ : descendantText(value, 0);
  return '';
}

/** Last resort for elements whose children were not kept as markup: their text, depth-limited. */
function descendantText(element: XmlElement, depth: number): string {
  if (depth > 20) return '';
  const texts: string[] = [];
  for (const [key, value] of Object.entries(element)) {
    if (key === '$') continue;
    for (const child of Array.isArray(value) ? value : [value]) {
      texts.push(typeof child === 'string' ? child : isElement(child) ? descendantText(child, depth + 1) : '');
    }
  }
  return texts.join(' ');
}

/** Non-empty trimmed texts. */
export function textsOf(values: unknown[]): string[] {
  const texts: string[] = [];
  for (const value of values) {
    const text = textOf(value).trim();
    if (text !== '') texts.push(text);
  }
  return texts;
}

/** An attribute of an xml2js element (its `$`). */
export function attributeString(value: unknown, name: string): string | null {
  return isElement(value) ? ownAttribute(value.$, name) : null;
}

/** An attribute from an xml2js attribute object (what rss-parser copies for the `$` custom field). */
export function ownAttribute(attributes: unknown, name: string): string | null {
  const attribute = isElement(attributes) ? attributes[name] : undefined;
  return typeof attribute === 'string' ? attribute : null;
}
