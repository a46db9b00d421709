/** The format-neutral feed document every format is rendered from, and what the formats share. */
import type { ArchiveLinks } from './archive-links.ts';

export type FeedFormat = 'rss' | 'atom' | 'json';

export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

export interface DocumentSource {
  title: string;
  /** The source's feed URL. */
  feedUrl: string;
  siteUrl: string | null;
}

export interface DocumentEntry {
  /** A URI that never changes for this entry (urn:uuid:…). */
  id: string;
  /** Absolute URL of the article (or of our own page for it). */
  url: string;
  /** Plain text. */
  title: string;
  /** Plain text. */
  summary: string;
  /** Sanitized HTML. */
  contentHtml: string;
  published: Date;
  updated: Date;
  authors: string[];
  categories: string[];
  enclosure: { url: string; type: string | null; length: number | null } | null;
  source: DocumentSource | null;
  /** Extra JSON Feed fields, under the `_tidings` extension object. */
  extension?: Record<string, unknown>;
}

export interface FeedDocument {
  /** A URI that never changes for this feed. */
  id: string;
  title: string;
  description: string;
  /** The HTML page the feed belongs to. */
  homeUrl: string;
  /** This feed in each format. */
  urls: Record<FeedFormat, string>;
  /** Latest change of any entry (deterministic: never "now"). */
  updated: Date;
  /** WebSub hubs the document names (hub-links.ts); none when absent. */
  hubs?: readonly string[] | undefined;
  entries: DocumentEntry[];
  /** Archived-feed links (RFC 5005 §4; archive-links.ts): topic feeds and their archive pages. */
  archive?: ArchiveLinks | undefined;
}

export const GENERATOR = 'Tidings';
export const FORMAT_NAMES: Record<FeedFormat, string> = { rss: 'RSS 2.0', atom: 'Atom 1.0', json: 'JSON Feed 1.1' };
export const ENCLOSURE_FALLBACK_TYPE = 'application/octet-stream';

/** The document's other formats, as <link rel="alternate"> (Atom) or <atom:link> (RSS) elements. */
export function alternateFormats(doc: FeedDocument, self: FeedFormat): Array<{ type: string; href: string; title: string }> {
  return (['rss', 'atom', 'json'] as const)
    .filter((format) => format !== self)
    .map((format) => ({ type: FEED_CONTENT_TYPES[format].split(';')[0]!, href: doc.urls[format], title: `${doc.title} (${FORMAT_NAMES[format]})` }));
}
