/**
 * The fetch stage through real sockets: a 200 with its headers and sizes, the
 * request headers sent, and conditional GET (ETag, Last-Modified) answered by a 304.
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_OPTIONS, RSS, sendFeed, startServer, useFetchers, type TestServer } from '../../helpers/fetch-harness.ts';

const fetcher = useFetchers();

describe('fetch: successful responses and conditional GET', () => {
  let server: TestServer;
  let lastHeaders: IncomingMessage['headers'] = {};
  beforeAll(async () => {
    server = await startServer({
      '/feed': (_req, res) =>
        sendFeed(res, {
          'cache-control': 'public, max-age=600',
          expires: 'Sun, 01 Jun 2025 13:00:00 GMT',
          date: 'Sun, 01 Jun 2025 12:00:00 GMT',
        }),
      '/echo': (req, res) => {
        lastHeaders = req.headers;
        sendFeed(res);
      },
      '/validators': (req, res) => {
        const headers = { etag: '"v1"', 'last-modified': 'Sun, 01 Jun 2025 10:00:00 GMT', 'cache-control': 'max-age=300' };
        // RFC 9110 §13.1.2/§13.2.2: If-None-Match takes precedence over If-Modified-Since.
        const notModified =
          req.headers['if-none-match'] !== undefined ? req.headers['if-none-match'] === '"v1"' : req.headers['if-modified-since'] === headers['last-modified'];
        if (notModified) res.writeHead(304, headers).end();
        else sendFeed(res, headers);
      },
    });
  });
  afterAll(() => server.close());

  it('returns the body, headers and sizes of a 200', async () => {
    const result = await fetcher().fetchFeed({ url: `${server.origin}/feed` });
    expect(result).toMatchObject({
      kind: 'ok',
      status: 200,
      finalUrl: `${server.origin}/feed`,
      permanentUrl: null,
      contentType: 'application/rss+xml; charset=utf-8',
      etag: null,
      lastModified: null,
      bytesReceived: Buffer.byteLength(RSS),
      headers: {
        cacheControlMaxAge: 600,
        expires: new Date('2025-06-01T13:00:00Z'),
        retryAfterSeconds: null,
        date: new Date('2025-06-01T12:00:00Z'),
      },
    });
    expect(result.kind === 'ok' && result.body.toString('utf8')).toBe(RSS);
  });

  it('sends the User-Agent, Accept and Accept-Encoding headers', async () => {
    await fetcher().fetchFeed({ url: `${server.origin}/echo` });
    expect(lastHeaders['user-agent']).toBe(BASE_OPTIONS.userAgent);
    expect(lastHeaders['accept-encoding']).toBe('gzip, deflate, br');
    expect(lastHeaders.accept).toBe('application/rss+xml, application/atom+xml, application/feed+json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5');
    expect(lastHeaders['if-none-match']).toBeUndefined();
    expect(lastHeaders['if-modified-since']).toBeUndefined();
  });

  it('answers not_modified when the ETag still matches', async () => {
    const f = fetcher();
    const first = await f.fetchFeed({ url: `${server.origin}/validators` });
    expect(first).toMatchObject({ kind: 'ok', etag: '"v1"', lastModified: 'Sun, 01 Jun 2025 10:00:00 GMT' });
    if (first.kind !== 'ok') throw new Error('unreachable');

    const second = await f.fetchFeed({ url: `${server.origin}/validators`, etag: first.etag, lastModified: first.lastModified });
    expect(second).toEqual({
      kind: 'not_modified',
      status: 304,
      finalUrl: `${server.origin}/validators`,
      permanentUrl: null,
      headers: { cacheControlMaxAge: 300, expires: null, retryAfterSeconds: null, date: expect.any(Date) },
    });
  });

  it('answers not_modified on Last-Modified alone', async () => {
    const result = await fetcher().fetchFeed({
      url: `${server.origin}/validators`,
      lastModified: 'Sun, 01 Jun 2025 10:00:00 GMT',
    });
    expect(result.kind).toBe('not_modified');
  });

  it('fetches in full when the ETag changed', async () => {
    const result = await fetcher().fetchFeed({ url: `${server.origin}/validators`, etag: '"v0"' });
    expect(result.kind).toBe('ok');
  });
});
