import { describe, expect, it } from 'vitest';
import type { CachedDocument } from '../../../src/http/feed-cache.ts';
import { buildServer } from '../../../src/http/server.ts';
import { servedTopics } from '../../../src/http/served-topics.ts';
import { createFeedCache } from '../../../src/http/feed-cache.ts';
import { createVariantCache } from '../../../src/http/variant-cache.ts';
import { silentLog } from '../../helpers/context.ts';

const doc = (bytes: number): CachedDocument => ({
  topic: 'korea',
  kind: 'feed',
  format: 'rss',
  generation: 1,
  body: Buffer.alloc(bytes, 'x'),
  etag: '"x"',
  lastModified: new Date(0),
});
const variant = (bytes: number) => ({ doc: doc(bytes), expires: Infinity });

describe('variant cache', () => {
  it('evicts the least recently used variants to stay within its bytes', () => {
    const cache = createVariantCache(1_000);
    cache.set('a', variant(400));
    cache.set('b', variant(400));
    cache.get('a'); // b is now the least recently used
    cache.set('c', variant(400));
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map(Boolean)).toEqual([true, false, true]);
    expect(cache.bytes).toBe(800);
  });

  it('counts the compressed copies made after a variant was stored', () => {
    const cache = createVariantCache(1_000);
    cache.set('a', variant(300));
    cache.set('b', variant(300));
    const b = cache.get('b')!;
    b.doc.gzip = Buffer.alloc(200);
    b.doc.br = Buffer.alloc(250);
    cache.remeasure('b');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.bytes).toBe(750);
  });

  it('does not keep a variant larger than the whole bound', () => {
    const cache = createVariantCache(1_000);
    cache.set('a', variant(300));
    cache.set('huge', variant(5_000));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.bytes).toBeLessThanOrEqual(1_000);
  });
});

describe('?limit= variants over HTTP', () => {
  it('stay within the byte bound however many distinct limits are asked for, compressed or not', async () => {
    const bound = 256 * 1024;
    const variants = createVariantCache(bound);
    let renders = 0;
    const app = buildServer({
      log: silentLog,
      topics: servedTopics([
        { slug: 'korea', title: 'Korea', description: '', digest: { period: 'daily', time: '07:00', timezone: 'UTC', weekday: 'monday' }, hasDigest: true },
      ]),
      publicUrl: 'http://x.test',
      feedCache: createFeedCache({ generations: async () => [], documents: async () => [] }),
      // ~200 bytes an entry, not very compressible: limit=500 is ~100 kB, the 167 limits asked ~8 MB.
      renderDocument: async (_slug, _kind, _format, limit) => {
        renders++;
        const body = Array.from({ length: limit }, (_, i) => `<item>${(i * 2654435761 + limit).toString(36).repeat(24)}</item>`).join('');
        return { body, etag: `"${limit}"` };
      },
      findDigest: async () => undefined,
      variants,
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const encodings = ['identity', 'gzip', 'br'];
      for (let limit = 1; limit <= 500; limit += 3) {
        const response = await fetch(`${url}/topics/korea/rss.xml?limit=${limit}`, { headers: { 'accept-encoding': encodings[limit % 3]! } });
        expect(response.status).toBe(200);
        expect((await response.text()).split('<item>')).toHaveLength(limit + 1);
        expect(variants.bytes).toBeLessThanOrEqual(bound);
      }
      expect(variants.size).toBeGreaterThan(0);
      // The most recent variant is answered from the cache, an early one was evicted.
      const before = renders;
      await fetch(`${url}/topics/korea/rss.xml?limit=499`);
      expect(renders).toBe(before);
      await fetch(`${url}/topics/korea/rss.xml?limit=1`);
      expect(renders).toBe(before + 1);
    } finally {
      await app.close();
    }
  });
});
