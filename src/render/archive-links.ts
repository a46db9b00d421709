/**
 * Archived feeds (RFC 5005 §4): where a topic's archive pages live, and the links and
 * markers the three formats carry. The current document links `prev-archive` to the newest
 * page; each page links `prev-archive` to the page before it (none from the oldest) and
 * `current` to the current document, and is marked as an archive (`<fh:archive/>`). Pages
 * carry no `next-archive`: it would change a page when the next one is made, and a page is
 * meant to stay as published (src/store/topic-archive.ts).
 */
import type { FeedDocument, FeedFormat } from './feed-document.ts';
import { element } from './xml-safe.ts';

/** The Feed History namespace (RFC 5005 §5). */
export const FEED_HISTORY_NS = 'http://purl.org/syndication/history/1.0';

export interface ArchiveLinks {
  /** The archive page before this document, in each format (absent: nothing older). */
  prev?: Record<FeedFormat, string> | undefined;
  /** The current document, in each format (archive pages only). */
  current?: Record<FeedFormat, string> | undefined;
  /** True on an archive page. */
  isArchive: boolean;
}

const FILES: Record<FeedFormat, string> = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' };

/** /topics/<slug>/archive/<page>/ (the page for browsers) or …/<page>/atom.xml and the like. */
export function archivePagePath(slug: string, page: number, format?: FeedFormat): string {
  return `/topics/${encodeURIComponent(slug)}/archive/${page}/${format === undefined ? '' : FILES[format]}`;
}

export function archivePageUrls(publicUrl: string, slug: string, page: number): Record<FeedFormat, string> {
  return {
    rss: publicUrl + archivePagePath(slug, page, 'rss'),
    atom: publicUrl + archivePagePath(slug, page, 'atom'),
    json: publicUrl + archivePagePath(slug, page, 'json'),
  };
}

/** The format's file name to format, for the archive routes. */
export function archiveFileFormat(file: string): FeedFormat | undefined {
  return (Object.keys(FILES) as FeedFormat[]).find((format) => FILES[format] === file);
}

/** The archive's <link> (Atom) or <atom:link> (RSS) elements, and <fh:archive/> on a page. */
export function archiveXml(doc: FeedDocument, format: 'rss' | 'atom'): string[] {
  const archive = doc.archive;
  if (archive === undefined) return [];
  const link = format === 'atom' ? 'link' : 'atom:link';
  const type = format === 'atom' ? 'application/atom+xml' : 'application/rss+xml';
  return [
    archive.isArchive ? element('fh:archive', {}) : '',
    archive.prev === undefined ? '' : element(link, { rel: 'prev-archive', type, href: archive.prev[format] }),
    archive.current === undefined ? '' : element(link, { rel: 'current', type, href: archive.current[format] }),
  ];
}

/** The namespace declaration an archive page's root element needs for <fh:archive/>. */
export function archiveNamespace(doc: FeedDocument): Record<string, string> {
  return doc.archive?.isArchive ? { 'xmlns:fh': FEED_HISTORY_NS } : {};
}

/**
 * JSON Feed 1.1 has no archive vocabulary: `next_url` ("the next n items", JSON Feed 1.1
 * § Top-level) leads to the older page, and the `_tidings` extension says what RFC 5005's
 * markers say in the XML formats.
 */
export function archiveJson(doc: FeedDocument): { next_url?: string; _tidings?: { archive: true; current_url?: string } } {
  const archive = doc.archive;
  if (archive === undefined) return {};
  return {
    ...(archive.prev && { next_url: archive.prev.json }),
    ...(archive.isArchive && { _tidings: { archive: true as const, ...(archive.current && { current_url: archive.current.json }) } }),
  };
}
