/**
 * One format-neutral feed document rendered as RSS 2.0, Atom 1.0 (both with the `feed`
 * package) and JSON Feed 1.1 (written here: `feed` only emits JSON Feed 1.0).
 *
 * What `feed` cannot express is spliced in afterwards through placeholder elements:
 * Atom <source> (RFC 4287 §4.2.11), Atom enclosure links with their real media type,
 * and feed-level <link rel="alternate"> pointers to the other formats. Every string is
 * passed through xmlSafe() first: `feed` copies control characters into the XML as is.
 * Output is a pure function of the document, so unchanged content renders to the same
 * bytes and keeps its ETag.
 */
import { randomUUID } from 'node:crypto';
import { Feed, type Item } from 'feed';
import { escapeHtml } from '../ingest/html-text.ts';
import { xmlAttribute, xmlSafe } from './xml-safe.ts';

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
  entries: DocumentEntry[];
}

export const GENERATOR = 'Tidings';
const FORMAT_NAMES: Record<FeedFormat, string> = { rss: 'RSS 2.0', atom: 'Atom 1.0', json: 'JSON Feed 1.1' };
const ENCLOSURE_FALLBACK_TYPE = 'application/octet-stream';

export function renderFeed(doc: FeedDocument, format: FeedFormat): string {
  if (format === 'rss') return renderRss(doc);
  if (format === 'atom') return renderAtom(doc);
  return renderJsonFeed(doc);
}

/** Placeholders for elements spliced in after `feed` has rendered; unguessable so content cannot forge one. */
function placeholders(): { feed: string; entry: (i: number) => string; entryPattern: RegExp } {
  const nonce = randomUUID();
  return { feed: `tidings-${nonce}-feed`, entry: (i) => `tidings-${nonce}-${i}`, entryPattern: new RegExp(`<rights>tidings-${nonce}-(\\d+)</rights>`, 'g') };
}

function alternateLinks(doc: FeedDocument, self: FeedFormat, element: 'link' | 'atom:link'): string {
  return (['rss', 'atom', 'json'] as const)
    .filter((format) => format !== self)
    .map((format) => {
      const type = FEED_CONTENT_TYPES[format].split(';')[0];
      return `<${element} rel="alternate" type="${type}" href="${xmlAttribute(doc.urls[format])}" title="${xmlAttribute(`${doc.title} (${FORMAT_NAMES[format]})`)}"/>`;
    })
    .join('');
}

function baseFeed(doc: FeedDocument, format: 'rss' | 'atom', marker: string): Feed {
  return new Feed({
    id: doc.id,
    title: xmlSafe(doc.title),
    description: xmlSafe(doc.description),
    link: doc.homeUrl,
    updated: doc.updated,
    generator: GENERATOR,
    feedLinks: { [format]: doc.urls[format] },
    copyright: marker,
  });
}

function renderRss(doc: FeedDocument): string {
  const marks = placeholders();
  const feed = baseFeed(doc, 'rss', marks.feed);
  for (const entry of doc.entries) {
    const item: Item = {
      id: entry.id,
      title: xmlSafe(entry.title),
      link: entry.url,
      date: entry.updated,
      published: entry.published,
      // RSS description is HTML (RSS 2.0 spec, "entity-encoded HTML is allowed"): escape the plain text.
      description: xmlSafe(escapeHtml(entry.summary)),
      content: xmlSafe(entry.contentHtml),
      category: entry.categories.map((name) => ({ name: xmlSafe(name) })),
      extensions: [
        ...(entry.authors.length > 0 ? [{ name: 'dc:creator', objects: { _text: xmlSafe(entry.authors.join(', ')) } }] : []),
        ...(entry.source ? [{ name: 'source', objects: { _attributes: { url: xmlAttribute(entry.source.feedUrl) }, _text: xmlSafe(entry.source.title) } }] : []),
      ],
    };
    if (entry.enclosure) {
      // RSS 2.0 requires url, length and type on <enclosure>.
      item.enclosure = { url: entry.enclosure.url, type: entry.enclosure.type ?? ENCLOSURE_FALLBACK_TYPE, length: entry.enclosure.length ?? 0 };
    }
    feed.addItem(item);
  }
  // A replacer function, not a string: `$&` in a title must not be read as a pattern.
  return feed.rss2().replace(`<copyright>${marks.feed}</copyright>`, () => alternateLinks(doc, 'rss', 'atom:link'));
}

function atomSource(source: DocumentSource): string {
  const site = source.siteUrl ? `<link rel="alternate" href="${xmlAttribute(source.siteUrl)}"/>` : '';
  return `<source><id>${xmlAttribute(source.feedUrl)}</id><title>${xmlAttribute(source.title)}</title><link rel="self" href="${xmlAttribute(source.feedUrl)}"/>${site}</source>`;
}

function atomEnclosure(enclosure: NonNullable<DocumentEntry['enclosure']>): string {
  const length = enclosure.length ? ` length="${enclosure.length}"` : '';
  return `<link rel="enclosure" href="${xmlAttribute(enclosure.url)}" type="${xmlAttribute(enclosure.type ?? ENCLOSURE_FALLBACK_TYPE)}"${length}/>`;
}

function renderAtom(doc: FeedDocument): string {
  const marks = placeholders();
  const feed = baseFeed(doc, 'atom', marks.feed);
  doc.entries.forEach((entry, i) => {
    feed.addItem({
      id: entry.id,
      // `feed` declares Atom titles and summaries type="html": escape the plain text.
      title: xmlSafe(escapeHtml(entry.title)),
      link: entry.url,
      date: entry.updated,
      published: entry.published,
      description: xmlSafe(escapeHtml(entry.summary)),
      content: xmlSafe(entry.contentHtml),
      // RFC 4287 §4.1.2: an entry needs an author unless the feed has one.
      author: (entry.authors.length > 0 ? entry.authors : [entry.source?.title ?? GENERATOR]).map((name) => ({ name: xmlSafe(name) })),
      category: entry.categories.map((name) => ({ term: xmlSafe(name).replace(/[<>]/g, ''), name: undefined })),
      copyright: marks.entry(i),
    });
  });
  const extras = doc.entries.map((entry) => (entry.enclosure ? atomEnclosure(entry.enclosure) : '') + (entry.source ? atomSource(entry.source) : ''));
  return feed
    .atom1()
    .replace(`<rights>${marks.feed}</rights>`, () => alternateLinks(doc, 'atom', 'link'))
    .replace(marks.entryPattern, (_match, index: string) => extras[Number(index)]!);
}

/** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/). */
function renderJsonFeed(doc: FeedDocument): string {
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: doc.title,
    home_page_url: doc.homeUrl,
    feed_url: doc.urls.json,
    description: doc.description || undefined,
    authors: [{ name: GENERATOR }],
    items: doc.entries.map((entry) => ({
      id: entry.id,
      url: entry.url,
      title: entry.title,
      summary: entry.summary || undefined,
      content_html: entry.contentHtml,
      date_published: entry.published.toISOString(),
      date_modified: entry.updated.toISOString(),
      authors: entry.authors.length > 0 ? entry.authors.map((name) => ({ name })) : undefined,
      tags: entry.categories.length > 0 ? entry.categories : undefined,
      attachments: entry.enclosure
        ? [{ url: entry.enclosure.url, mime_type: entry.enclosure.type ?? ENCLOSURE_FALLBACK_TYPE, size_in_bytes: entry.enclosure.length ?? undefined }]
        : undefined,
      // Custom extensions start with an underscore (JSON Feed 1.1 § Extensions).
      _tidings: entry.source || entry.extension ? { source: entry.source ?? undefined, ...entry.extension } : undefined,
    })),
  };
  return JSON.stringify(feed, null, 2);
}
