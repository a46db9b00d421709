/** Shapes that cross stage boundaries. Database row types live in db/schema.ts. */

/** One feed item after normalization: what the store writes and the renderers read. */
export interface NormalizedItem {
  /** Stable identity within its source: guid/id, else link, else a hash of title + date. */
  key: string;
  /** Absolute link to the article, or null when the feed gives none usable. */
  url: string | null;
  /** Plain text, no markup, whitespace collapsed. May be empty. */
  title: string;
  /** Plain text summary (description/summary, markup stripped), at most ~1000 chars. */
  summary: string;
  /** The item's HTML (content:encoded / content / description), unsanitized; null when none. */
  contentHtml: string | null;
  author: string | null;
  categories: string[];
  /** UTC publication time as the feed states it; null when absent or unparseable. */
  publishedAt: Date | null;
  /** UTC update time as the feed states it; null when absent or unparseable. */
  updatedAt: Date | null;
  /** Enclosure (podcast/media), absolute URL. */
  enclosure: { url: string; type: string | null; length: number | null } | null;
  /** Fields cut to their cap (field-caps.ts): the publisher sent more. */
  truncated: string[];
}

/**
 * The date an item states: its published date, else its updated date (Atom entries often
 * carry only <updated>, RFC 4287 §4.2.15); null when it states neither usably.
 */
export function itemDate(item: Pick<NormalizedItem, 'publishedAt' | 'updatedAt'>): Date | null {
  return item.publishedAt ?? item.updatedAt;
}

/** A feed document after normalization. */
export interface NormalizedFeed {
  /** 'rss' or 'atom' with version, e.g. 'rss2.0', 'rss1.0', 'rss0.91', 'atom1.0', 'atom0.3'. */
  format: string;
  title: string | null;
  /** The site the feed describes (channel link / atom alternate link), absolute. */
  siteUrl: string | null;
  description: string | null;
  /** RSS <ttl> in minutes, when present and positive. */
  ttlMinutes: number | null;
  items: NormalizedItem[];
}
