/**
 * What a publisher controls cannot change the structure of our RSS and Atom documents:
 * each hostile string comes back, parsed by a real XML parser, as the same text in the same
 * one entry.
 */
import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import type { DocumentEntry, FeedDocument } from '../../../src/render/feed-document.ts';
import { renderFeed } from '../../../src/render/feed-formats.ts';

function document(overrides: Partial<DocumentEntry>): FeedDocument {
  const entry: DocumentEntry = {
    id: 'urn:uuid:00000000-0000-5000-8000-000000000001',
    url: 'https://news.example/a',
    title: 'A title',
    summary: 'A summary',
    contentHtml: '<p>Body</p>',
    published: new Date('2026-11-23T08:00:00Z'),
    updated: new Date('2026-11-23T09:00:00Z'),
    authors: ['Reporter'],
    categories: ['Politics'],
    enclosure: { url: 'https://news.example/a.mp3', type: 'audio/mpeg', length: 100 },
    source: { title: 'Outlet', feedUrl: 'https://news.example/feed', siteUrl: 'https://news.example/' },
    ...overrides,
  };
  return {
    id: 'urn:uuid:00000000-0000-5000-8000-000000000000',
    title: 'Korea — Tidings',
    description: 'Korean Peninsula news',
    homeUrl: 'https://feeds.example/',
    urls: {
      rss: 'https://feeds.example/topics/korea/rss.xml',
      atom: 'https://feeds.example/topics/korea/atom.xml',
      json: 'https://feeds.example/topics/korea/feed.json',
    },
    updated: new Date('2026-11-23T09:00:00Z'),
    entries: [entry],
  };
}

const parse = (xml: string) => new Parser({ customFields: { item: ['source', 'content:encoded'] } }).parseString(xml);
const CDATA_BREAKOUT = 'x]]></title><link>https://evil.example/</link></item><item><title>forged]]>]]>]]>';

describe('RSS and Atom output', () => {
  it.each(['rss', 'atom'] as const)('%s: a title full of CDATA terminators and markup stays one entry, its text intact', async (format) => {
    const xml = renderFeed(document({ title: CDATA_BREAKOUT, contentHtml: '<p>a ]]> b</p>', summary: ']]>' }), format);
    const feed = await parse(xml);
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]!.link).toBe('https://news.example/a');
    // Tags are dropped from titles; the CDATA terminators are plain text.
    expect(feed.items[0]!.title).toBe('x]]> https://evil.example/ forged]]>]]>]]>');
  });

  it('atom: a quote in an attribute value cannot add attributes', async () => {
    const xml = renderFeed(
      document({ enclosure: { url: 'https://news.example/a.mp3?x="1"', type: 'audio/mpeg" rel="alternate', length: 5 }, categories: ['a"b<c>'] }),
      'atom',
    );
    expect(xml).toContain('type="audio/mpeg&quot; rel=&quot;alternate"');
    expect(xml).toContain('<category term="a&quot;b&lt;c&gt;"/>');
    const feed = await parse(xml);
    expect(feed.items[0]!.link).toBe('https://news.example/a');
  });

  it.each(['rss', 'atom', 'json'] as const)('%s: titles are plain text: tags dropped, Korean bracket punctuation and prose brackets kept', async (format) => {
    const xml = renderFeed(document({ title: '<단독> Kim <script>alert(1)</script> meets <img src=x onerror=alert(2)> envoy, a < b' }), format);
    const title = format === 'json' ? (JSON.parse(xml) as { items: Array<{ title: string }> }).items[0]!.title : (await parse(xml)).items[0]!.title;
    expect(title).toBe('<단독> Kim alert(1) meets envoy, a < b');
  });

  it('rss: control characters a publisher sent are dropped, so the document stays well-formed', async () => {
    const feed = await parse(
      renderFeed(document({ title: 'a\u0000b\u001fc', source: { title: 'Out\u0008let', feedUrl: 'https://news.example/feed', siteUrl: null } }), 'rss'),
    );
    expect(feed.items[0]!.title).toBe('abc');
  });
});
