/**
 * Upper bounds on what one item may bring in. A publisher can send a 9 MB title: stored as
 * is, it was republished in every topic document (9.4 MB each) and in every reader's feed.
 * Cut fields are recorded on the item (`truncated`), never cut silently.
 */
import type { NormalizedItem } from '../model.ts';

export const FIELD_CAPS = {
  /** Characters of a title (item or feed). */
  title: 1_000,
  /** Characters of an author name, and of each category. */
  author: 200,
  category: 200,
  /** Categories kept per item. */
  categories: 50,
  /** Characters of the plain-text summary. */
  summary: 10_000,
  /** UTF-16 code units of the HTML body (~1 MB of text). */
  content: 1_000_000,
  /** Characters of a URL: past it, no browser or index keeps it whole (an item's link is dropped). */
  url: 2_048,
} as const;

/** `text` cut to `max` characters (never inside a surrogate pair), with an ellipsis when cut. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** The item with every field within its cap, and the names of the fields that were cut. */
export function capFields(item: NormalizedItem): NormalizedItem {
  const truncated: string[] = [];
  const cap = <T extends string | null>(field: string, value: T, max: number): T => {
    if (value === null || value.length <= max) return value;
    truncated.push(field);
    return capText(value, max) as T;
  };
  const urlTooLong = item.url !== null && item.url.length > FIELD_CAPS.url;
  const enclosureTooLong = item.enclosure !== null && item.enclosure.url.length > FIELD_CAPS.url;
  if (urlTooLong) truncated.push('url');
  if (enclosureTooLong) truncated.push('enclosure');
  const url = urlTooLong ? null : item.url;
  const enclosure = enclosureTooLong ? null : item.enclosure;
  let categories = item.categories;
  if (categories.length > FIELD_CAPS.categories) {
    truncated.push('categories');
    categories = categories.slice(0, FIELD_CAPS.categories);
  }
  categories = categories.map((category) => cap('category', category, FIELD_CAPS.category));
  const capped: NormalizedItem = {
    ...item,
    url,
    title: cap('title', item.title, FIELD_CAPS.title),
    author: cap('author', item.author, FIELD_CAPS.author),
    categories,
    summary: cap('summary', item.summary, FIELD_CAPS.summary),
    contentHtml: cap('content', item.contentHtml, FIELD_CAPS.content),
    enclosure,
  };
  return { ...capped, truncated: [...new Set(truncated)] };
}
