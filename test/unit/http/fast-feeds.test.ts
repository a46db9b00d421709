import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createFeedCache } from '../../../src/http/feed-cache.ts';
import { fastFeedHandler } from '../../../src/http/fast-feeds.ts';

/** A feed cache holding Korea's feed and digest (three formats each), nothing else. */
function cache() {
  const feeds = createFeedCache({ generations: async () => [], documents: async () => [] });
  const updated_at = new Date('2026-12-01T10:00:00Z');
  const formats = (name: string) => ({
    rss: { body: '<rss/>', etag: `"${name}-rss"`, updated_at },
    atom: { body: '<feed/>', etag: `"${name}-atom"`, updated_at },
    json: { body: '{}', etag: `"${name}-json"`, updated_at },
  });
  feeds.put({ topic: 'korea', kind: 'feed', generation: 1, formats: formats('feed') });
  feeds.put({ topic: 'korea', kind: 'digest', generation: 2, formats: formats('digest') });
  return feeds;
}

/** Runs the handler on a request; what it wrote, or null when it left the request to fastify. */
function answer(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const handler = fastFeedHandler(cache(), new Set(['korea', 'japan']));
  const written: { status?: number; headers?: Record<string, string>; body?: unknown } = {};
  const response = {
    writeHead(status: number, head: Record<string, string>) {
      Object.assign(written, { status, headers: head });
      return response;
    },
    end(body?: unknown) {
      written.body = body;
    },
  };
  const handled = handler({ method, url, headers } as unknown as IncomingMessage, response as unknown as ServerResponse);
  return handled ? written : null;
}

describe('fastFeedHandler', () => {
  it('answers a cached topic feed and a cached digest at their URLs', () => {
    expect(answer('/topics/korea/rss.xml')).toMatchObject({ status: 200, headers: { etag: '"feed-rss"', 'content-length': '6' } });
    expect(answer('/topics/korea/digest/feed.json')).toMatchObject({ status: 200, headers: { etag: '"digest-json"' } });
    expect(answer('/topics/korea/rss.xml', { 'if-none-match': '"feed-rss"' })).toMatchObject({ status: 304, body: undefined });
  });

  it('leaves everything else to fastify: query strings, other methods, unknown topics or files, documents not cached', () => {
    expect(answer('/topics/korea/rss.xml?limit=10')).toBeNull();
    expect(answer('/topics/korea/rss.xml', {}, 'HEAD')).toBeNull();
    expect(answer('/topics/nowhere/rss.xml')).toBeNull();
    expect(answer('/topics/korea/feed.xml')).toBeNull();
    expect(answer('/topics/japan/rss.xml')).toBeNull();
    expect(answer('/topics/japan/digest/atom.xml')).toBeNull();
    expect(answer('/topics/korea/digest/rss.xml/')).toBeNull();
  });
});
