import { describe, expect, it } from 'vitest';
import type { FeedFormat } from '../../../src/db/schema.ts';
import { createFeedCache, type GenerationSource } from '../../../src/http/feed-cache.ts';
import type { DocumentGeneration } from '../../../src/store/rendered-feeds.ts';

const updated_at = new Date('2026-12-01T10:00:00Z');
const FORMATS: FeedFormat[] = ['rss', 'atom', 'json'];

/** Korea's feed at a generation: every format's body and ETag name it. */
function generation(n: number): DocumentGeneration {
  const format = (f: FeedFormat) => ({ body: `${f} of generation ${n}`, etag: `"${f}-${n}"`, updated_at });
  return { topic: 'korea', kind: 'feed', generation: n, formats: { rss: format('rss'), atom: format('atom'), json: format('json') } };
}

/**
 * A database stand-in holding one document, read by a sync as of its first query;
 * `hold()` makes the next sync's answer wait until released.
 */
function fakeSource(initial: number) {
  let stored = generation(initial);
  let snapshot = stored;
  let gate: Promise<void> | null = null;
  let release = () => {};
  const source: GenerationSource = {
    generations: async () => {
      snapshot = stored;
      await gate;
      return [{ topic: snapshot.topic, kind: snapshot.kind, generation: snapshot.generation }];
    },
    documents: async () => [snapshot],
  };
  return {
    source,
    store: (n: number) => (stored = generation(n)),
    hold: () => {
      gate = new Promise((resolve) => {
        release = () => {
          gate = null;
          resolve();
        };
      });
    },
    release: () => release(),
  };
}

const served = (cache: ReturnType<typeof createFeedCache>) => FORMATS.map((f) => cache.get('korea', 'feed', f)?.body.toString());
const ofGeneration = (n: number) => FORMATS.map((f) => `${f} of generation ${n}`);

describe('feed cache', () => {
  it('loads a document whose generation changed, its three formats together', async () => {
    const db = fakeSource(1);
    const cache = createFeedCache(db.source);
    expect(await cache.sync()).toBe(1);
    expect(served(cache)).toEqual(ofGeneration(1));
    expect(await cache.sync()).toBe(0);
    db.store(2);
    expect(await cache.sync()).toBe(1);
    expect(served(cache)).toEqual(ofGeneration(2));
    expect(FORMATS.map((f) => cache.get('korea', 'feed', f)?.generation)).toEqual([2, 2, 2]);
  });

  it('keeps a generation this process saved when a sync that read the database before it answers', async () => {
    const db = fakeSource(1);
    const cache = createFeedCache(db.source);
    await cache.sync();
    db.hold();
    const slowSync = cache.sync(); // reads generation 1 ...
    db.store(2);
    cache.put(generation(2)); // ... while this process commits and puts generation 2
    db.release();
    await slowSync;
    expect(served(cache)).toEqual(ofGeneration(2));
  });

  it('ignores a put older than the generation held', async () => {
    const cache = createFeedCache(fakeSource(3).source);
    await cache.sync();
    cache.put(generation(2));
    expect(served(cache)).toEqual(ofGeneration(3));
  });

  it('follows the database back to an older generation (restored from a backup)', async () => {
    const db = fakeSource(7);
    const cache = createFeedCache(db.source);
    await cache.sync();
    db.store(4);
    await cache.sync();
    expect(served(cache)).toEqual(ofGeneration(4));
  });

  it('keeps the compressed copies of a format whose bytes a new generation did not change', async () => {
    const db = fakeSource(1);
    const cache = createFeedCache(db.source);
    await cache.sync();
    const before = cache.get('korea', 'feed', 'rss')!;
    before.gzip = Buffer.from('gzipped');
    const next = generation(2);
    next.formats.rss = generation(1).formats.rss;
    cache.put(next);
    expect(cache.get('korea', 'feed', 'rss')).toMatchObject({ generation: 2, gzip: before.gzip });
    expect(cache.get('korea', 'feed', 'atom')?.gzip).toBeUndefined();
  });
});
