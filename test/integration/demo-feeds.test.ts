/**
 * The offline demo's fixture feed server (scripts/demo-feed-server.ts), on a real socket:
 * every sample feed is served with its Content-Type and parses as a feed, the Korean
 * outlet's bytes really are EUC-KR, dates are fresh, and ETag revalidation answers 304.
 */
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFeedsConfig } from '../../src/config/load-config.ts';
import {
  buildDemoFeedsConfig,
  encodeFeed,
  etagMatches,
  renderFeedTemplate,
  startDemoFeedServer,
  type DemoFeedServer,
  type ServedFeed,
} from '../../scripts/demo-feed-server.ts';

const NOW = new Date('2026-11-24T03:00:00Z');
const KOREAN_TITLE = '북한, 동해상으로 단거리 탄도미사일 2발 발사…합참 "추가 도발 대비"';

let server: DemoFeedServer;

beforeAll(async () => {
  server = await startDemoFeedServer({ now: NOW });
});

afterAll(async () => {
  await server?.close();
});

function feedAt(path: string): ServedFeed {
  const feed = server.feeds.find((f) => f.path === path);
  if (feed === undefined) throw new Error(`no demo feed at ${path}`);
  return feed;
}

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const response = await fetch(`${server.url}${path}`, { headers });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('demo feed server', () => {
  it('listens on loopback at a random port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    expect(server.feeds.length).toBeGreaterThanOrEqual(5);
  });

  it.each([
    ['/pacific-wire/rss.xml', 'application/rss+xml; charset=utf-8'],
    ['/seoul-morning-post/atom.xml', 'application/atom+xml; charset=utf-8'],
    ['/hanbando-ilbo/rss.xml', 'application/rss+xml; charset=euc-kr'],
    ['/parallel-watch/feed/', 'application/rss+xml; charset=UTF-8'],
    ['/globe-dispatch/world.xml', 'application/xml'],
  ])('serves %s as %s, and it parses as a feed with fresh dates', async (path, contentType) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(contentType);
    expect(response.headers.get('etag')).toBe(feedAt(path).etag);
    expect(Number(response.headers.get('content-length'))).toBe(response.bytes.length);

    const encoding = path.startsWith('/hanbando-ilbo/') ? 'euc-kr' : 'utf-8';
    const text = new TextDecoder(encoding, { fatal: true }).decode(response.bytes);
    expect(text).not.toContain('{{');
    const feed = await new Parser().parseString(text);
    expect(feed.title).toBeTruthy();
    expect(feed.items.length).toBeGreaterThanOrEqual(4);
    for (const item of feed.items) {
      const published = Date.parse(item.isoDate ?? '');
      expect(published, `${item.title}: ${item.pubDate}`).toBeLessThanOrEqual(NOW.getTime());
      expect(published).toBeGreaterThan(NOW.getTime() - 4 * 86_400_000);
    }
  });

  it('serves the Korean outlet as real EUC-KR bytes', async () => {
    const { bytes } = await get('/hanbando-ilbo/rss.xml');
    expect(bytes.subarray(0, 40).toString('latin1')).toContain('encoding="EUC-KR"');
    expect(new TextDecoder('euc-kr').decode(bytes)).toContain(KOREAN_TITLE);

    // As UTF-8 the same bytes are invalid, and a lenient decode does not yield the title.
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(new TextDecoder('utf-8').decode(bytes)).not.toContain('북한');

    // Strict EUC-KR (KS X 1001), not just CP949: every non-ASCII byte pairs with another in 0xA1–0xFE.
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i]! < 0x80) continue;
      expect(bytes[i], `lead byte at ${i}`).toBeGreaterThanOrEqual(0xa1);
      expect(bytes[i + 1], `trail byte at ${i + 1}`).toBeGreaterThanOrEqual(0xa1);
      i++;
    }
  });

  it('answers If-None-Match with 304 and no body, and a stale ETag with 200', async () => {
    const first = await get('/pacific-wire/rss.xml');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);

    const revalidated = await get('/pacific-wire/rss.xml', { 'If-None-Match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.bytes.length).toBe(0);
    expect(revalidated.headers.get('etag')).toBe(etag);

    expect((await get('/pacific-wire/rss.xml', { 'If-None-Match': `"stale", W/${etag}` })).status).toBe(304);
    expect((await get('/pacific-wire/rss.xml', { 'If-None-Match': '"stale"' })).status).toBe(200);
    // The EUC-KR feed too: conditional GET must not depend on the encoding.
    const korean = await get('/hanbando-ilbo/rss.xml');
    expect((await get('/hanbando-ilbo/rss.xml', { 'If-None-Match': korean.headers.get('etag')! })).status).toBe(304);
  });

  it('answers If-Modified-Since with 304 only when there is no If-None-Match', async () => {
    const { headers } = await get('/globe-dispatch/world.xml');
    const lastModified = headers.get('last-modified')!;
    expect((await get('/globe-dispatch/world.xml', { 'If-Modified-Since': lastModified })).status).toBe(304);
    expect((await get('/globe-dispatch/world.xml', { 'If-Modified-Since': lastModified, 'If-None-Match': '"other"' })).status).toBe(200);
  });

  it('gives each feed its own ETag, stable while the server runs', async () => {
    const etags = new Set(server.feeds.map((f) => f.etag));
    expect(etags.size).toBe(server.feeds.length);
    expect((await get('/parallel-watch/feed/')).headers.get('etag')).toBe((await get('/parallel-watch/feed/')).headers.get('etag'));
  });

  it('answers 404 for unknown paths and 405 for other methods, and lists the feeds at /', async () => {
    expect((await get('/nope.xml')).status).toBe(404);
    expect((await fetch(`${server.url}/pacific-wire/rss.xml`, { method: 'POST' })).status).toBe(405);
    const index = await get('/');
    expect(index.status).toBe(200);
    for (const feed of server.feeds) expect(index.bytes.toString('utf8')).toContain(feed.path);
  });
});

describe('demo sample content', () => {
  it('republishes the wire story under tracking-parameter and m./www. URL variants', () => {
    const globe = feedAt('/globe-dispatch/world.xml').body.toString('utf8');
    expect(globe).toContain('https://pacificwire.example/asia/north-korea-fires-two-short-range-ballistic-missiles-pw4821?utm_source=rss');
    expect(globe).toContain('https://m.pacificwire.example/asia/south-korea-japan-shuttle-talks-supply-chain-pw4817?utm_source=rss');
    expect(feedAt('/pacific-wire/rss.xml').body.toString('utf8')).toContain(
      'https://www.pacificwire.example/asia/north-korea-fires-two-short-range-ballistic-missiles-pw4821<',
    );
  });

  it('carries one mildly hostile body for the sanitizer to neutralize', () => {
    const parallel = feedAt('/parallel-watch/feed/').body.toString('utf8');
    expect(parallel).toContain('onerror=');
    expect(parallel).toContain('href="javascript:');
  });

  it('uses an Atom xml:base with relative links', () => {
    const atom = feedAt('/seoul-morning-post/atom.xml').body.toString('utf8');
    expect(atom).toContain('xml:base="https://www.seoulmorningpost.example/"');
    expect(atom).toMatch(/<link rel="alternate" type="text\/html" href="news\//);
  });
});

describe('demo feed templates and config', () => {
  it('renders dates relative to now in RSS and Atom formats, in UTC and Korean time', () => {
    expect(renderFeedTemplate('{{rfc822 -1d2h30m}}', NOW)).toBe('Mon, 23 Nov 2026 00:30:00 GMT');
    expect(renderFeedTemplate('{{rfc822kst -35m}}', NOW)).toBe('Tue, 24 Nov 2026 11:25:00 +0900');
    expect(renderFeedTemplate('{{rfc3339 -3h}}', NOW)).toBe('2026-11-24T00:00:00Z');
    expect(renderFeedTemplate('{{rfc3339kst -25m}}', NOW)).toBe('2026-11-24T11:35:00+09:00');
    expect(() => renderFeedTemplate('{{rfc999 -1h}}', NOW)).toThrow(/unknown date format/);
    expect(() => renderFeedTemplate('{{rfc822 yesterday}}', NOW)).toThrow(/malformed placeholder/);
  });

  it('refuses text EUC-KR cannot carry instead of writing "?"', () => {
    expect(() => encodeFeed('똠', 'euc-kr')).toThrow(/cannot encode/);
    expect(encodeFeed('북한', 'euc-kr')).toEqual(Buffer.from([0xba, 0xcf, 0xc7, 0xd1]));
  });

  it('matches If-None-Match lists weakly', () => {
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('W/"a"', '"a"')).toBe(true);
    expect(etagMatches('"b", "a"', '"a"')).toBe(true);
    expect(etagMatches('*', '"a"')).toBe(true);
    expect(etagMatches('"b"', '"a"')).toBe(false);
  });

  it('builds a valid Tidings config: korea and world topics, every feed a source, loopback allowed', () => {
    const korea = { slug: 'korea', title: 'Korea', include: ['north korea', '북한'] };
    const config = parseFeedsConfig(buildDemoFeedsConfig(server.feeds, korea), 'demo config');
    expect(config.topics.map((t) => t.slug)).toEqual(['korea', 'world']);
    expect(config.sources.map((s) => s.url)).toEqual(server.feeds.map((f) => f.url));
    expect(config.polling.allowPrivateNetworks).toBe(true);
    expect(config.polling.schedule).toBe('* * * * *');
  });
});
