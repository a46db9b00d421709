import { describe, expect, it } from 'vitest';
import { discoverHub, parseLinkHeader } from '../../../src/ingest/hub-discovery.ts';
import { readFeed } from '../../../src/ingest/read-feed.ts';

const FEED_URL = 'https://news.example/feed.xml';
const NONE = { hubs: [], self: null };

describe('parseLinkHeader', () => {
  it('reads several links, quoted and bare rels, and resolves relative targets', () => {
    const links = parseLinkHeader(
      ['<https://hub.example/>; rel="hub", </feed.xml>; rel=self', '<https://x.example/a,b>; title="x; y"; rel="alternate hub"'],
      FEED_URL,
    );
    expect(links).toEqual([
      { href: 'https://hub.example/', rels: ['hub'] },
      { href: 'https://news.example/feed.xml', rels: ['self'] },
      { href: 'https://x.example/a,b', rels: ['alternate', 'hub'] },
    ]);
  });

  it('skips targets that are not http(s)', () => {
    expect(parseLinkHeader(['<javascript:alert(1)>; rel=hub, <mailto:a@b.example>; rel=self'], FEED_URL)).toEqual([]);
  });
});

describe('discoverHub', () => {
  it('takes hub and self from the Link header before the document', () => {
    const found = discoverHub(
      { hubs: ['https://doc-hub.example/'], self: 'https://news.example/doc-self' },
      ['<https://hub.example/>; rel=hub, <https://news.example/self>; rel=self'],
      FEED_URL,
    );
    expect(found).toEqual({ hub: 'https://hub.example/', topic: 'https://news.example/self' });
  });

  it('falls back to the document, part by part', () => {
    expect(discoverHub({ hubs: ['https://doc-hub.example/'], self: 'https://news.example/doc-self' }, ['<https://hub.example/>; rel=hub'], FEED_URL)).toEqual({
      hub: 'https://hub.example/',
      topic: 'https://news.example/doc-self',
    });
  });

  it('finds nothing without a hub, or without a self URL', () => {
    expect(discoverHub({ hubs: [], self: FEED_URL }, [], FEED_URL)).toBeNull();
    expect(discoverHub({ hubs: ['https://hub.example/'], self: null }, [], FEED_URL)).toBeNull();
    expect(discoverHub(NONE, ['<https://hub.example/>; rel="hub"'], FEED_URL)).toBeNull();
  });
});

describe('hub links in documents (normalize)', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('reads rel="hub" and rel="self" atom:link in RSS', async () => {
    const rss = `<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>T</title><link>https://news.example/</link>
      <atom:link rel="hub" href="https://hub.example/"/><atom:link rel="self" href="/feed.xml" type="application/rss+xml"/></channel></rss>`;
    const { feed } = await readFeed(bytes(rss), 'application/rss+xml', FEED_URL);
    expect(feed.websub).toEqual({ hubs: ['https://hub.example/'], self: FEED_URL });
  });

  it('reads link rel="hub" and rel="self" in Atom', async () => {
    const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:x</id><updated>2026-01-01T00:00:00Z</updated>
      <link rel="hub" href="https://hub.example/a"/><link rel="hub" href="https://hub.example/b"/><link rel="self" href="https://news.example/atom"/></feed>`;
    const { feed } = await readFeed(bytes(atom), 'application/atom+xml', FEED_URL);
    expect(feed.websub).toEqual({ hubs: ['https://hub.example/a', 'https://hub.example/b'], self: 'https://news.example/atom' });
  });

  it('reads WebSub `hubs` and `feed_url` in JSON Feed, not rssCloud ones', async () => {
    const json = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'T',
      feed_url: 'https://news.example/feed.json',
      hubs: [
        { type: 'rssCloud', url: 'https://cloud.example/' },
        { type: 'WebSub', url: 'https://hub.example/' },
      ],
      items: [],
    });
    const { feed } = await readFeed(bytes(json), 'application/feed+json', FEED_URL);
    expect(feed.websub).toEqual({ hubs: ['https://hub.example/'], self: 'https://news.example/feed.json' });
  });
});
