/**
 * The fetch stage through real sockets: HTTP error statuses mapped to FeedErrorCodes,
 * Retry-After read, and error bodies released.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedError } from '../../../src/errors.ts';
import { expectFeedError, startServer, useFetchers, type TestServer } from '../../helpers/fetch-harness.ts';

const fetcher = useFetchers();

describe('fetch: HTTP error statuses', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      '/status': (req, res, url) => {
        const status = Number(url.pathname.split('/')[2]);
        const retryAfter = url.searchParams.get('retry-after');
        res.writeHead(status, retryAfter === null ? {} : { 'retry-after': retryAfter, date: 'Sun, 01 Jun 2025 12:00:00 GMT' });
        res.end(status === 204 || status === 304 ? undefined : `error page for ${req.url}`);
      },
    });
  });
  afterAll(() => server.close());

  it.each([
    [404, 'http_not_found'],
    [410, 'http_gone'],
    [401, 'http_unauthorized'],
    [403, 'http_unauthorized'],
    [400, 'http_client_error'],
    [418, 'http_client_error'],
    [500, 'http_server_error'],
    [502, 'http_server_error'],
    [204, 'http_unexpected_status'],
    [300, 'http_unexpected_status'],
    [304, 'http_unexpected_status'], // 304 although we sent no validators
  ] as const)('maps %i to %s, with the status', async (status, code) => {
    const error = await expectFeedError(fetcher().fetchFeed({ url: `${server.origin}/status/${status}` }), code);
    expect(error.details.status).toBe(status);
    expect(error.message).toMatch(new RegExp(`^HTTP ${status} .*from ${server.origin}/status/${status}`));
  });

  it('writes a message an admin can act on', async () => {
    const error = await expectFeedError(fetcher().fetchFeed({ url: `${server.origin}/status/404` }), 'http_not_found');
    expect(error.message).toBe(`HTTP 404 Not Found from ${server.origin}/status/404`);
  });

  it('reads Retry-After seconds on 429', async () => {
    const error = await expectFeedError(fetcher().fetchFeed({ url: `${server.origin}/status/429?retry-after=120` }), 'http_rate_limited');
    expect(error.details).toMatchObject({ status: 429, retryAfterSeconds: 120 });
    expect(error.message).toContain('retry after 120 s');
  });

  it('reads a Retry-After HTTP-date on 429, against the response Date', async () => {
    const error = await expectFeedError(
      fetcher().fetchFeed({ url: `${server.origin}/status/429?retry-after=${encodeURIComponent('Sun, 01 Jun 2025 12:10:00 GMT')}` }),
      'http_rate_limited',
    );
    expect(error.details.retryAfterSeconds).toBe(600);
  });

  it('carries Retry-After on 503', async () => {
    const error = await expectFeedError(fetcher().fetchFeed({ url: `${server.origin}/status/503?retry-after=30` }), 'http_server_error');
    expect(error.details).toMatchObject({ status: 503, retryAfterSeconds: 30 });
  });

  it('keeps working after many error responses (their bodies are released)', async () => {
    const f = fetcher({ concurrency: 2, perHost: 2 });
    const codes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => f.fetchFeed({ url: `${server.origin}/status/${i % 2 ? 404 : 500}` }).catch((e: FeedError) => e.code)),
    );
    expect(new Set(codes)).toEqual(new Set(['http_not_found', 'http_server_error']));
  });
});
