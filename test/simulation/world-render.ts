/** The simulated publishers' feed documents, in the format each one serves. */
import iconv from 'iconv-lite';
import { statedDate, titleAt, updatedAt, type WorldFeed, type WorldItem } from './world.ts';

const xml = (text: string) => text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));

/** The item's body as its publisher writes it: wrapper text around the story's paragraphs. */
export function itemHtml(item: WorldItem): string {
  const paragraphs = item.paragraphs.map((p) => `<p>${xml(p)}</p>`).join('');
  if (item.wrapper === null) return paragraphs;
  return `<div class="share">${xml(item.wrapper.before)}</div>${paragraphs}<p><a href="${xml(item.url)}">${xml(item.wrapper.after)}</a></p>`;
}

/** What a fullContent publisher's feed carries: the first words of the story. */
export function teaserHtml(item: WorldItem): string {
  return `<p>${xml(item.paragraphs[0]!.split(' ').slice(0, 8).join(' '))} …</p>`;
}

/** The page of a fullContent publisher's item: the story amid navigation, a cookie banner, related links and a footer. */
export function articlePage(feed: WorldFeed, item: WorldItem, t: Date): string {
  const boilerplate = (what: string) => `SIM-BOILERPLATE ${what} of ${xml(feed.title)}`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${xml(titleAt(item, t))} | ${xml(feed.title)}</title></head><body>
<div class="cookie-banner"><p>${boilerplate('cookie banner')}: we use cookies.</p><button>Accept</button></div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">${boilerplate('navigation')}</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<main><article><h1>${xml(titleAt(item, t))}</h1>${itemHtml(item)}</article>
<aside class="related"><h2>Related</h2><ul><li><a href="/articles/0">${boilerplate('related links')}</a></li><li><a href="/articles/1">More news</a></li></ul></aside></main>
<footer><p>${boilerplate('footer')}. All rights reserved.</p><a href="/about">About</a></footer></body></html>`;
}

function rss2Item(feed: WorldFeed, item: WorldItem, t: Date): string {
  const guid = item.guid === null ? '' : `<guid isPermaLink="false">${xml(item.guid)}</guid>`;
  return `<item><title>${xml(titleAt(item, t))}</title><link>${xml(item.url)}</link>${guid}<pubDate>${item.publishedAt.toUTCString()}</pubDate><description>${xml(feed.fullContent ? teaserHtml(item) : itemHtml(item))}</description>${feed.id === 'wire-nk' ? '<category>North Korea</category>' : ''}</item>`;
}

function rss2(feed: WorldFeed, items: WorldItem[], t: Date, encoding: string): string {
  const ttl = feed.ttlMinutes ? `<ttl>${feed.ttlMinutes}</ttl>` : '';
  return `<?xml version="1.0" encoding="${encoding}"?>
<rss version="2.0"><channel><title>${xml(feed.title)}</title><link>https://${feed.host.replace('.sim', '.example')}/</link><description>${xml(feed.title)}</description>${ttl}
${items.map((item) => rss2Item(feed, item, t)).join('\n')}
</channel></rss>`;
}

function rss091(feed: WorldFeed, items: WorldItem[], t: Date): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="0.91"><channel><title>${xml(feed.title)}</title><link>https://${feed.host.replace('.sim', '.example')}/</link><description>${xml(feed.title)}</description><language>en</language>
${items.map((item) => `<item><title>${xml(titleAt(item, t))}</title><link>${xml(item.url)}</link><description>${xml(item.paragraphs.join('\n\n'))}</description></item>`).join('\n')}
</channel></rss>`;
}

function rss1(feed: WorldFeed, items: WorldItem[], t: Date): string {
  const site = `https://${feed.host.replace('.sim', '.example')}/`;
  return `<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="${site}"><title>${xml(feed.title)}</title><link>${site}</link><description>${xml(feed.title)}</description>
<items><rdf:Seq>${items.map((item) => `<rdf:li rdf:resource="${xml(item.url)}"/>`).join('')}</rdf:Seq></items></channel>
${items.map((item) => `<item rdf:about="${xml(item.url)}"><title>${xml(titleAt(item, t))}</title><link>${xml(item.url)}</link><description>${xml(itemHtml(item))}</description><dc:date>${item.publishedAt.toISOString()}</dc:date></item>`).join('\n')}
</rdf:RDF>`;
}

function atom(feed: WorldFeed, items: WorldItem[], t: Date): string {
  const site = `https://${feed.host.replace('.sim', '.example')}/`;
  const updated = items.reduce((latest, item) => (updatedAt(item, t) > latest ? updatedAt(item, t) : latest), new Date(0));
  const entries = items.map((item) => {
    const published = feed.format === 'atom' ? `<published>${item.publishedAt.toISOString()}</published>` : '';
    return `<entry><id>${xml(item.guid ?? item.url)}</id><title>${xml(titleAt(item, t))}</title><link rel="alternate" type="text/html" href="${xml(item.url)}"/>${published}<updated>${updatedAt(item, t).toISOString()}</updated><author><name>${xml(feed.title)} desk</name></author><content type="html">${xml(itemHtml(item))}</content></entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>${site}</id><title>${xml(feed.title)}</title><link rel="alternate" href="${site}"/><updated>${updated.toISOString()}</updated>
${entries.join('\n')}
</feed>`;
}

export interface FeedDocument {
  body: Buffer;
  contentType: string;
  /** The newest date the document states (Last-Modified). */
  lastModified: Date;
}

export function renderWorldFeed(feed: WorldFeed, items: WorldItem[], t: Date): FeedDocument {
  const dates = items.map((item) => statedDate(feed, item, t) ?? item.publishedAt);
  const lastModified = new Date(Math.max(0, ...dates.map((d) => Math.floor(d.getTime() / 1000) * 1000)));
  switch (feed.format) {
    case 'rss2':
      return { body: Buffer.from(rss2(feed, items, t, 'utf-8')), contentType: 'application/rss+xml; charset=utf-8', lastModified };
    case 'rss2-euckr':
      // Korean outlets still serve EUC-KR.
      return { body: iconv.encode(rss2(feed, items, t, 'EUC-KR'), 'euc-kr'), contentType: 'text/xml; charset=EUC-KR', lastModified };
    case 'rss091':
      return { body: Buffer.from(rss091(feed, items, t)), contentType: 'text/xml', lastModified };
    case 'rss1':
      return { body: Buffer.from(rss1(feed, items, t)), contentType: 'application/rdf+xml', lastModified };
    default:
      return { body: Buffer.from(atom(feed, items, t)), contentType: 'application/atom+xml', lastModified };
  }
}
