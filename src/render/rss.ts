/**
 * RSS 2.0 (https://www.rssboard.org/rss-specification) with the content, Dublin Core and
 * Atom namespaces: content:encoded for the HTML body, dc:creator for authors, atom:link for
 * the self and alternate links. Every string is escaped text (xml-safe.ts), never CDATA.
 */
import { escapeHtml } from '../text/html-text.ts';
import { archiveNamespace, archiveXml } from './archive-links.ts';
import { alternateFormats, ENCLOSURE_FALLBACK_TYPE, GENERATOR, type DocumentEntry, type FeedDocument } from './feed-document.ts';
import { plainTitle } from './plain-title.ts';
import { element, textElement, XML_DECLARATION } from './xml-safe.ts';

const NAMESPACES = {
  version: '2.0',
  'xmlns:dc': 'http://purl.org/dc/elements/1.1/',
  'xmlns:content': 'http://purl.org/rss/1.0/modules/content/',
  'xmlns:atom': 'http://www.w3.org/2005/Atom',
};

function item(entry: DocumentEntry): string {
  return element('item', {}, [
    textElement('title', plainTitle(entry.title)),
    textElement('link', entry.url),
    textElement('guid', entry.id, { isPermaLink: 'false' }),
    textElement('pubDate', entry.published.toUTCString()),
    // <description> is HTML ("entity-encoded HTML is allowed"): the plain summary, escaped as HTML.
    entry.summary === '' ? '' : textElement('description', escapeHtml(entry.summary)),
    entry.contentHtml === '' ? '' : textElement('content:encoded', entry.contentHtml),
    entry.authors.length === 0 ? '' : textElement('dc:creator', entry.authors.join(', ')),
    ...entry.categories.map((name) => textElement('category', name)),
    // RSS 2.0 requires url, length and type on <enclosure>.
    entry.enclosure === null
      ? ''
      : element('enclosure', { url: entry.enclosure.url, length: entry.enclosure.length ?? 0, type: entry.enclosure.type ?? ENCLOSURE_FALLBACK_TYPE }),
    entry.source === null ? '' : textElement('source', plainTitle(entry.source.title), { url: entry.source.feedUrl }),
  ]);
}

export function renderRss(doc: FeedDocument): string {
  const channel = element('channel', {}, [
    textElement('title', plainTitle(doc.title)),
    textElement('link', doc.homeUrl),
    textElement('description', doc.description),
    textElement('lastBuildDate', doc.updated.toUTCString()),
    textElement('docs', 'https://www.rssboard.org/rss-specification'),
    textElement('generator', GENERATOR),
    element('atom:link', { href: doc.urls.rss, rel: 'self', type: 'application/rss+xml' }),
    ...(doc.hubs ?? []).map((href) => element('atom:link', { href, rel: 'hub' })),
    ...alternateFormats(doc, 'rss').map((link) => element('atom:link', { rel: 'alternate', ...link })),
    ...archiveXml(doc, 'rss'),
    ...doc.entries.map(item),
  ]);
  return `${XML_DECLARATION}\n${element('rss', { ...NAMESPACES, ...archiveNamespace(doc) }, [channel])}\n`;
}
