/**
 * One format-neutral feed document rendered as RSS 2.0 (rss.ts), Atom 1.0 (atom.ts) and
 * JSON Feed 1.1 (here). The XML formats are written with xml-safe.ts, which escapes every
 * string, so nothing a publisher controls can change a document's structure. Output is a
 * pure function of the document: unchanged content renders to the same bytes and keeps its
 * ETag.
 */
import { archiveJson } from './archive-links.ts';
import { renderAtom } from './atom.ts';
import { ENCLOSURE_FALLBACK_TYPE, GENERATOR, type FeedDocument, type FeedFormat } from './feed-document.ts';
import { jsonFeedHubs } from './hub-links.ts';
import { plainTitle } from './plain-title.ts';
import { renderRss } from './rss.ts';

export { FEED_CONTENT_TYPES, GENERATOR, type DocumentEntry, type DocumentSource, type FeedDocument, type FeedFormat } from './feed-document.ts';

export function renderFeed(doc: FeedDocument, format: FeedFormat): string {
  if (format === 'rss') return renderRss(doc);
  if (format === 'atom') return renderAtom(doc);
  return renderJsonFeed(doc);
}

/** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/). */
function renderJsonFeed(doc: FeedDocument): string {
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: plainTitle(doc.title),
    home_page_url: doc.homeUrl,
    feed_url: doc.urls.json,
    description: doc.description || undefined,
    authors: [{ name: GENERATOR }],
    ...archiveJson(doc),
    hubs: jsonFeedHubs(doc.hubs),
    items: doc.entries.map((entry) => ({
      id: entry.id,
      url: entry.url,
      title: plainTitle(entry.title),
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
