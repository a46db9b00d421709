/** readFeed on JSON Feed documents: decoded, parsed and normalized like RSS and Atom. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFeed } from '../../../src/ingest/read-feed.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/feeds');
const FETCHED_FROM = 'https://mirror.example.com/desk/feed.json';

function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURES, name)));
}

function jsonBytes(items: unknown[], feed: Record<string, unknown> = {}): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 't', ...feed, items }));
}

describe('readFeed: JSON Feed', () => {
  it('normalizes a JSON Feed 1.1 document: URLs resolved against feed_url, dates in UTC, the first enclosure', async () => {
    const { feed, encoding } = await readFeed(fixtureBytes('json-feed-1.1-full.json'), 'application/feed+json', FETCHED_FROM);
    expect(encoding).toBe('utf-8');
    expect(feed).toMatchObject({ format: 'json1.1', title: 'Seoul Desk', siteUrl: 'https://desk.example.org/', description: 'News from the Seoul desk' });
    expect(feed.items[0]).toEqual({
      key: 'https://desk.example.org/2024/10/18/subway-fares',
      url: 'https://desk.example.org/2024/10/18/subway-fares',
      title: 'Seoul subway fares rise by 150 won',
      summary: 'Fares rise next year.',
      contentHtml: '<p>Fares rise <a href="https://desk.example.org/fares.html">next year</a>.</p><img src="https://desk.example.org/feeds/img/1.jpg">',
      author: 'Kim Min-ji',
      categories: ['Seoul', 'Transport'],
      publishedAt: new Date('2024-10-18T05:30:00Z'),
      updatedAt: new Date('2024-10-18T09:00:00Z'),
      enclosure: { url: 'https://desk.example.org/feeds/audio/fares.mp3', type: 'audio/mpeg', length: 12345 },
      truncated: [],
    });
  });

  it('escapes content_text as the HTML body and summarizes from it', async () => {
    const { feed } = await readFeed(fixtureBytes('json-feed-1.1-full.json'), 'application/feed+json', FETCHED_FROM);
    expect(feed.items[1]).toMatchObject({ key: '2', url: null, title: '', summary: 'A short note without a title.', author: 'The Desk' });
    expect(feed.items[1]?.contentHtml).toBe('A short note without a title.');
  });

  it('resolves relative URLs against the fetched URL when feed_url is not an http(s) URL', async () => {
    const bytes = jsonBytes([{ id: '1', url: 'posts/1', content_text: 'x' }], { feed_url: 'javascript:alert(1)', home_page_url: '/' });
    const { feed } = await readFeed(bytes, 'application/json', FETCHED_FROM);
    expect([feed.siteUrl, feed.items[0]?.url]).toEqual(['https://mirror.example.com/', 'https://mirror.example.com/desk/posts/1']);
  });

  it('keeps one item per repeated id, the latest date_modified', async () => {
    const bytes = jsonBytes([
      { id: 'a', title: 'First', content_text: 'x', date_modified: '2024-10-18T01:00:00Z' },
      { id: 'a', title: 'Second', content_text: 'x', date_modified: '2024-10-18T02:00:00Z' },
    ]);
    const { feed } = await readFeed(bytes, 'application/feed+json', FETCHED_FROM);
    expect(feed.items.map((item) => item.title)).toEqual(['Second']);
  });

  it('keys an item without an id by its URL, as an RSS item without a guid', async () => {
    const { feed } = await readFeed(jsonBytes([{ url: 'https://x.example/1', content_text: 'x' }]), 'application/feed+json', FETCHED_FROM);
    expect(feed.items.map((item) => item.key)).toEqual(['https://x.example/1']);
  });

  it('reads numeric ids as string keys', async () => {
    const { feed } = await readFeed(fixtureBytes('json-feed-1.0.json'), 'application/json', FETCHED_FROM);
    expect(feed.items.map((item) => [item.key, item.author])).toEqual([
      ['1001', 'Choi Eun'],
      ['1002', 'Park Ji-ho'],
    ]);
  });

  it('reads a JSON Feed served as text/plain with a legacy charset label', async () => {
    const bytes = jsonBytes([{ id: '1', title: '북한 미사일 발사', content_text: 'x' }]);
    const { feed } = await readFeed(bytes, 'text/plain; charset=euc-kr', FETCHED_FROM);
    expect(feed.items[0]?.title).toBe('북한 미사일 발사');
  });
});
