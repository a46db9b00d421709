import { itemContentHash } from '../../src/model.ts';
import type { StorableItem } from '../../src/store/items.ts';

/** A storable item with sensible defaults; override what the test is about. */
export function makeItem(overrides: Partial<StorableItem> & { key: string }): StorableItem {
  const url = overrides.url ?? `https://news.example.org/${encodeURIComponent(overrides.key)}`;
  const item = {
    url,
    canonicalUrl: url,
    ownSite: true,
    title: `Title of ${overrides.key}`,
    summary: 'A summary.',
    contentHtml: '<p>Body</p>',
    author: null,
    categories: [],
    publishedAt: new Date('2026-11-20T10:00:00Z'),
    updatedAt: null,
    enclosure: null,
    truncated: [],
    topics: [],
    signature: null,
    ...overrides,
  };
  // The hash of what the item holds, unless the test sets one.
  return { ...item, contentHash: overrides.contentHash ?? itemContentHash(item, item.signature !== null) };
}
