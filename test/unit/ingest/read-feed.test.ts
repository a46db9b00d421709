import { readFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { FeedError } from '../../../src/errors.ts';
import { readFeed } from '../../../src/ingest/read-feed.ts';
import { storageKey, storedItemMark } from '../../../src/text/storable-text.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/feeds');

function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURES, name)));
}

async function readError(bytes: Uint8Array, contentType: string | null, feedUrl: string): Promise<FeedError> {
  const error = await readFeed(bytes, contentType, feedUrl).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof FeedError)) throw new Error(`expected a FeedError, got ${String(error)}`);
  return error;
}

describe('readFeed', () => {
  it('decodes, parses and normalizes an RSS 2.0 feed', async () => {
    const { feed, encoding } = await readFeed(fixtureBytes('rss2-full.xml'), 'application/rss+xml', 'https://example.org/feeds/rss.xml');
    expect(encoding).toBe('utf-8');
    expect(feed).toMatchObject({
      format: 'rss2.0',
      title: 'Example & Daily',
      siteUrl: 'https://example.org/',
      description: 'News from the example desk',
      ttlMinutes: 30,
    });
    expect(feed.items[0]).toEqual({
      key: 'story-1',
      url: 'https://example.org/news/1.html',
      title: 'Seoul & Pyongyang talks',
      summary: 'Short summary',
      contentHtml: '<p>Full <a href="https://example.org/more.html">story</a> <img src="https://example.org/feeds/img/1.jpg"></p>',
      author: 'Kim Min-ji',
      categories: ['World', 'Korea'],
      publishedAt: new Date('2024-10-18T05:30:00Z'),
      updatedAt: null,
      enclosure: { url: 'https://example.org/audio/1.mp3', type: 'audio/mpeg', length: 12345 },
      truncated: [],
    });
    expect(feed.items[1]).toMatchObject({
      key: 'https://example.org/news/2.html',
      url: 'https://example.org/news/2.html',
      contentHtml: '<p>Plain description without markup</p>',
      author: 'The Desk',
    });
  });

  it('reads an Atom feed with nested xml:base', async () => {
    const { feed } = await readFeed(fixtureBytes('atom-full.xml'), 'application/atom+xml', 'https://example.org/atom.xml');
    expect(feed).toMatchObject({ format: 'atom1.0', title: 'Atom Example', siteUrl: 'https://base.example.org/blog/' });
    expect(feed.items.map((item) => [item.key, item.url, item.publishedAt?.toISOString(), item.updatedAt?.toISOString() ?? null])).toEqual([
      ['tag:example.org,2024:1', 'https://base.example.org/blog/2024/first', '2024-10-18T03:00:00.000Z', '2024-10-18T09:00:00.000Z'],
      ['tag:example.org,2024:2', 'https://elsewhere.example.com/2', undefined, null],
    ]);
    expect(feed.items[0]?.enclosure).toEqual({ url: 'https://base.example.org/blog/2024/first.ogg', type: 'audio/ogg', length: 42 });
    expect(feed.items[0]?.contentHtml).toBe('One <b>two</b> three <i>four</i> <a href="https://base.example.org/blog/2024/pic.html">five</a>');
  });

  it('reads an EUC-KR feed whose server claims UTF-8', async () => {
    const xml =
      '<?xml version="1.0" encoding="EUC-KR"?><rss version="2.0"><channel><title>한국어 피드</title><item><title>똠방각하 재방송 확정</title><guid>ko-1</guid></item></channel></rss>';
    const { feed, encoding } = await readFeed(new Uint8Array(iconv.encode(xml, 'cp949')), 'text/xml; charset=UTF-8', 'https://ko.example.kr/rss');
    expect(encoding).toBe('euc-kr');
    expect([feed.title, feed.items[0]?.title]).toEqual(['한국어 피드', '똠방각하 재방송 확정']);
  });

  it('reports an HTML page as not_a_feed with its feed links made absolute against the feed URL', async () => {
    const error = await readError(fixtureBytes('page-with-alternates.html'), 'text/html; charset=utf-8', 'https://example.org/news/');
    expect(error.code).toBe('not_a_feed');
    expect(error.details.alternates).toEqual(['https://example.org/feeds/rss.xml', 'https://example.org/feeds/atom.xml?a=1&b=2']);
    expect(error.message).toContain('https://example.org/feeds/rss.xml');
  });

  it('returns data that survives structured cloning (it runs in a worker thread)', async () => {
    const result = await readFeed(fixtureBytes('atom-full.xml'), null, 'https://example.org/atom.xml');
    expect(structuredClone(result)).toEqual(result);
  });

  it('rejects only with FeedError, whatever the bytes', async () => {
    const garbage = Uint8Array.from({ length: 4096 }, (_, index) => (index * 7919) % 256);
    const error = await readError(garbage, 'application/xml', 'https://example.org/x');
    expect(['malformed_xml', 'not_a_feed']).toContain(error.code);
  });

  it('reads a feed with undeclared HTML entities as lenient readers do', async () => {
    const { feed } = await readFeed(fixtureBytes('entities-undeclared.rss'), null, 'https://entities.example.org/rss');
    expect(feed.items[0]?.title).toBe('Kim’s visit to Pyongyang… &madeup; \uFFFD');
  });

  it('skips the text work for items the source has stored with the same content, and only those', async () => {
    const bytes = fixtureBytes('rss2-full.xml');
    const first = await readFeed(bytes, 'application/rss+xml', 'https://example.org/feeds/rss.xml');
    expect(first.features.every((f) => !f.unchanged && f.signature !== null)).toBe(true);
    const [kept, edited] = first.feed.items;
    // The first item stored as it is; the second stored with other content (an edit since).
    const stored = new Set([storedItemMark(storageKey(kept!.key), first.features[0]!.contentHash), storedItemMark(storageKey(edited!.key), 'an-older-hash')]);
    const again = await readFeed(bytes, 'application/rss+xml', 'https://example.org/feeds/rss.xml', { stored });
    expect(again.features[0]).toMatchObject({ unchanged: true, signature: null, contentHash: first.features[0]!.contentHash });
    expect(again.features[1]).toEqual(first.features[1]);
    expect(again.features.filter((f) => f.unchanged)).toHaveLength(1);
  });
});
