import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createFeedCache } from '../../../src/http/feed-cache.ts';
import { fastFeedHandler } from '../../../src/http/fast-feeds.ts';

/** A feed cache holding Korea's RSS feed and JSON digest, nothing else. */
function cache() {
  const feeds = createFeedCache(async () => []);
  const updated_at = new Date('2026-12-01T10:00:00Z');
  feeds.put({ topic: 'korea', kind: 'feed', format: 'rss', body: '<rss/>', etag: '"feed-1"', updated_at });
  feeds.put({ topic: 'korea', kind: 'digest', format: 'json', body: '{}', etag: '"digest-1"', updated_at });
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
    expect(answer('/topics/korea/rss.xml')).toMatchObject({ status: 200, headers: { etag: '"feed-1"', 'content-length': '6' } });
    expect(answer('/topics/korea/digest/feed.json')).toMatchObject({ status: 200, headers: { etag: '"digest-1"' } });
    expect(answer('/topics/korea/rss.xml', { 'if-none-match': '"feed-1"' })).toMatchObject({ status: 304, body: undefined });
  });

  it('leaves everything else to fastify: query strings, other methods, unknown topics or files, documents not cached', () => {
    expect(answer('/topics/korea/rss.xml?limit=10')).toBeNull();
    expect(answer('/topics/korea/rss.xml', {}, 'HEAD')).toBeNull();
    expect(answer('/topics/nowhere/rss.xml')).toBeNull();
    expect(answer('/topics/korea/feed.xml')).toBeNull();
    expect(answer('/topics/korea/atom.xml')).toBeNull();
    expect(answer('/topics/japan/rss.xml')).toBeNull();
    expect(answer('/topics/korea/digest/rss.xml/')).toBeNull();
  });
});
