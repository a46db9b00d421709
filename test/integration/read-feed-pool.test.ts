import { afterAll, describe, expect, it, vi } from 'vitest';
import { FeedError } from '../../src/errors.ts';
import { createReadFeedPool } from '../../src/ingest/read-feed-pool.ts';
import { readFeed } from '../../src/ingest/read-feed.ts';
import { rssFeed } from '../helpers/fixture-server.ts';

const pool = createReadFeedPool({ size: 2, taskTimeoutMs: 5_000 });
afterAll(() => pool.close());

const bytes = (text: string) => new TextEncoder().encode(text);
const feed = rssFeed('Wire', [
  { guid: 'a', title: 'North Korea', link: 'https://wire.example/a' },
  { guid: 'b', title: '북한', link: 'https://wire.example/b' },
]);

describe('read-feed pool', () => {
  it('reads a feed in a worker exactly as readFeed does in-process', async () => {
    const inWorker = await pool.readFeed(bytes(feed), 'application/rss+xml', 'https://wire.example/feed');
    expect(inWorker).toEqual(await readFeed(bytes(feed), 'application/rss+xml', 'https://wire.example/feed'));
    expect(inWorker.feed.items[0]!.publishedAt).toBeInstanceOf(Date);
  });

  it("leaves the caller's buffer intact (a Buffer of its own ArrayBuffer, as fetch returns a large body)", async () => {
    const padded = rssFeed(
      'Wire',
      Array.from({ length: 60 }, (_, i) => ({ guid: `p${i}`, title: `Item ${i} ${'x'.repeat(100)}` })),
    );
    const body = Buffer.concat([Buffer.from(padded)]);
    expect(body.length).toBeGreaterThan(8192); // larger than Node's shared buffer pool: not copied on transfer
    const before = body.toString('utf8');
    const result = await pool.readFeed(body, 'application/rss+xml', 'https://wire.example/feed');
    expect(result.feed.items).toHaveLength(60);
    expect(body.toString('utf8')).toBe(before);
  });

  it('rejects with the FeedError the worker raised, alternates included', async () => {
    const html = '<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head><body></body></html>';
    const error = await pool.readFeed(bytes(html), 'text/html', 'https://site.example/page').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedError);
    expect(error).toMatchObject({ code: 'not_a_feed', details: { alternates: ['https://site.example/rss'] } });
  });

  it('reads many documents concurrently and keeps answers apart', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => pool.readFeed(bytes(rssFeed(`Feed ${i}`, [{ guid: `g${i}`, title: `Item ${i}` }])), null, `https://f${i}.example/`)),
    );
    expect(results.map((r) => r.feed.title)).toEqual(Array.from({ length: 20 }, (_, i) => `Feed ${i}`));
  });

  it('survives a worker running out of memory and keeps serving', async () => {
    const tiny = createReadFeedPool({ size: 1, maxHeapMb: 16 });
    try {
      // A worker already running (workers start on demand): what runs out of memory is the
      // parse, not the worker's start-up. (Node can abort the whole process when a worker hits
      // its heap limit at an unlucky moment, nodejs/node#47224: a start-up under a 16 MB
      // limit was one.)
      await tiny.readFeed(bytes(feed), null, 'https://wire.example/feed');
      const items = Array.from({ length: 40_000 }, (_, i) => `<item><guid>${i}</guid><title>${'y'.repeat(500)}</title></item>`).join('');
      const huge = `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>${items}</channel></rss>`;
      const error = await tiny.readFeed(bytes(huge), null, 'https://x.example/').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FeedError);
      expect((error as FeedError).code).toBe('too_large');
      expect((await tiny.readFeed(bytes(feed), null, 'https://wire.example/feed')).feed.items).toHaveLength(2);
    } finally {
      await tiny.close();
    }
  });

  it('starts workers on demand and stops them once idle, then reads again', async () => {
    const lazy = createReadFeedPool({ size: 1, idleMs: 20 });
    try {
      expect(lazy.running()).toBe(0);
      await lazy.readFeed(bytes(feed), 'application/rss+xml', 'https://wire.example/feed');
      expect(lazy.running()).toBe(1);
      await vi.waitUntil(() => lazy.running() === 0, { timeout: 5_000 });
      const again = await lazy.readFeed(bytes(feed), 'application/rss+xml', 'https://wire.example/feed');
      expect(again.feed.items).toHaveLength(2);
    } finally {
      await lazy.close();
    }
  });
});
