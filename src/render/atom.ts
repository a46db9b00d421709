/**
 * Atom 1.0 (RFC 4287). Titles and summaries are text constructs of type "text" (§3.1.1.1:
 * no markup), the body a "html" one; every string is escaped (xml-safe.ts), never CDATA.
 */
import { archiveNamespace, archiveXml } from './archive-links.ts';
import { alternateFormats, ENCLOSURE_FALLBACK_TYPE, GENERATOR, type DocumentEntry, type DocumentSource, type FeedDocument } from './feed-document.ts';
import { plainTitle } from './plain-title.ts';
import { element, textElement, XML_DECLARATION } from './xml-safe.ts';

/** RFC 4287 §4.2.11: where an entry came from, so readers can credit the outlet. */
function source(from: DocumentSource): string {
  return element('source', {}, [
    textElement('id', from.feedUrl),
    textElement('title', plainTitle(from.title)),
    element('link', { rel: 'self', href: from.feedUrl }),
    from.siteUrl === null ? '' : element('link', { rel: 'alternate', href: from.siteUrl }),
  ]);
}

function entry(item: DocumentEntry): string {
  // §4.1.2: an entry needs an author unless the feed has one; the outlet stands in.
  const authors = item.authors.length > 0 ? item.authors : [item.source?.title ?? GENERATOR];
  return element('entry', {}, [
    textElement('title', plainTitle(item.title), { type: 'text' }),
    textElement('id', item.id),
    element('link', { rel: 'alternate', type: 'text/html', href: item.url }),
    textElement('published', item.published.toISOString()),
    textElement('updated', item.updated.toISOString()),
    ...authors.map((name) => element('author', {}, [textElement('name', name)])),
    ...item.categories.map((term) => element('category', { term })),
    item.summary === '' ? '' : textElement('summary', item.summary, { type: 'text' }),
    item.contentHtml === '' ? '' : textElement('content', item.contentHtml, { type: 'html' }),
    item.enclosure === null
      ? ''
      : element('link', {
          rel: 'enclosure',
          href: item.enclosure.url,
          type: item.enclosure.type ?? ENCLOSURE_FALLBACK_TYPE,
          length: item.enclosure.length || null,
        }),
    item.source === null ? '' : source(item.source),
  ]);
}

export function renderAtom(doc: FeedDocument): string {
  const feed = element('feed', { xmlns: 'http://www.w3.org/2005/Atom', ...archiveNamespace(doc) }, [
    textElement('id', doc.id),
    textElement('title', plainTitle(doc.title), { type: 'text' }),
    doc.description === '' ? '' : textElement('subtitle', doc.description, { type: 'text' }),
    textElement('updated', doc.updated.toISOString()),
    textElement('generator', GENERATOR),
    element('link', { rel: 'alternate', type: 'text/html', href: doc.homeUrl }),
    element('link', { rel: 'self', type: 'application/atom+xml', href: doc.urls.atom }),
    ...(doc.hubs ?? []).map((href) => element('link', { rel: 'hub', href })),
    ...alternateFormats(doc, 'atom').map((link) => element('link', { rel: 'alternate', ...link })),
    ...archiveXml(doc, 'atom'),
    ...doc.entries.map(entry),
  ]);
  return `${XML_DECLARATION}\n${feed}\n`;
}
