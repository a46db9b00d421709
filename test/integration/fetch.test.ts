/**
 * The fetch stage through real sockets: a node:http server on 127.0.0.1 (port 0)
 * per suite, and the real undici Agent, connector, SSRF guard and decoders.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FeedError, type FeedErrorCode } from '../../src/errors.ts';
import { createFetcher, type Fetcher, type FetcherOptions } from '../../src/ingest/fetch/index.ts';
import { fakeLookup } from '../helpers/fake-dns.ts';

// ---------------------------------------------------------------------------
// Helpers

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test feed</title><link>https://example.org/</link>
<item><title>Hello</title><link>https://example.org/hello</link></item></channel></rss>
`;

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => unknown;

interface TestServer {
  origin: string;
  port: number;
  /** Requests received, by path (with query). */
  requests: string[];
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1:0 routing by pathname prefix (longest first). */
async function startServer(routes: Record<string, Handler>): Promise<TestServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const prefixes = Object.keys(routes).sort((a, b) => b.length - a.length);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${url.pathname}${url.search}`);
    const prefix = prefixes.find((p) => url.pathname === p || url.pathname.startsWith(`${p}/`));
    if (prefix === undefined) {
      res.writeHead(404).end('no route');
      return;
    }
    void routes[prefix]!(req, res, url);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A dns.lookup that answers from a table and fails with ENOTFOUND otherwise (honours `all: true`). */

const BASE_OPTIONS: FetcherOptions = {
  timeoutMs: 2_000,
  maxBytes: 1024 * 1024,
  userAgent: 'Tidings-test/0.1 (+https://example.org/tidings; feed aggregator)',
  allowPrivateNetworks: true,
  concurrency: 8,
  perHost: 4,
};

const fetchers: Fetcher[] = [];
function fetcher(overrides: Partial<FetcherOptions> = {}): Fetcher {
  const created = createFetcher({ ...BASE_OPTIONS, ...overrides });
  fetchers.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(fetchers.splice(0).map((f) => f.close()));
});

async function expectFeedError(promise: Promise<unknown>, code: FeedErrorCode): Promise<FeedError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected FeedError('${code}'), but the fetch succeeded`);
    },
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(FeedError);
  expect({ code: (error as FeedError).code, message: (error as FeedError).message }).toMatchObject({ code });
  return error as FeedError;
}

function sendFeed(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', ...headers }).end(RSS);
}

function sendEncoded(res: ServerResponse, encoding: string, body: Buffer): void {
  res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': encoding, 'content-length': body.length });
  res.end(body);
}

/** Resolves true on 'drain', false on 'close', and leaves no listener behind. */
function drainedOrClosed(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (drained: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(drained);
    };
    const onDrain = finish(true);
    const onClose = finish(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/** Writes `chunk` up to `times` times, honouring backpressure, until the client goes away. Resolves with the count written. */
async function writeRepeatedly(res: ServerResponse, chunk: Buffer, times: number): Promise<number> {
  let written = 0;
  while (written < times && !res.destroyed) {
    written += 1;
    if (!res.write(chunk) && !(await drainedOrClosed(res))) break;
  }
  if (!res.destroyed) res.end();
  return written;
}

// ---------------------------------------------------------------------------

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
          req.headers['if-none-match'] !== undefined
            ? req.headers['if-none-match'] === '"v1"'
            : req.headers['if-modified-since'] === headers['last-modified'];
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
    expect(lastHeaders.accept).toBe(
      'application/rss+xml, application/atom+xml, application/feed+json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5',
    );
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

describe('fetch: content codings', () => {
  let server: TestServer;
  const bomb = { membersWritten: 0, totalMembers: 100_000 };
  beforeAll(async () => {
    const rss = Buffer.from(RSS);
    // One gzip member of 1 MiB of zeros is ~1 KiB; a stream of members is valid gzip (RFC 1952 §2.2).
    const bombMember = gzipSync(Buffer.alloc(1024 * 1024));
    server = await startServer({
      '/gzip': (_req, res) => sendEncoded(res, 'gzip', gzipSync(rss)),
      '/x-gzip': (_req, res) => sendEncoded(res, 'x-gzip', gzipSync(rss)),
      '/deflate': (_req, res) => sendEncoded(res, 'deflate', deflateSync(rss)),
      '/deflate-raw': (_req, res) => sendEncoded(res, 'deflate', deflateRawSync(rss)),
      '/br': (_req, res) => sendEncoded(res, 'br', brotliCompressSync(rss)),
      '/stacked': (_req, res) => sendEncoded(res, 'deflate, gzip', gzipSync(deflateSync(rss))),
      '/empty-gzip': (_req, res) => sendEncoded(res, 'gzip', Buffer.alloc(0)),
      '/corrupt-gzip': (_req, res) => sendEncoded(res, 'gzip', Buffer.concat([gzipSync(rss).subarray(0, 20), Buffer.from('garbage!')])),
      '/zstd': (_req, res) => sendEncoded(res, 'zstd', Buffer.from('(\xb5/\xfd not really')),
      '/gzip-reset': (req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' });
        const partial = gzipSync(Buffer.alloc(200_000, 'x')).subarray(0, 100);
        res.write(partial, () => setTimeout(() => req.socket.resetAndDestroy(), 20));
      },
      '/gzip-slow': async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' });
        const compressed = gzipSync(rss);
        for (let i = 0; i < compressed.length && !res.destroyed; i += 1) {
          res.write(compressed.subarray(i, i + 1));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        if (!res.destroyed) res.end();
      },
      '/bomb': async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' });
        bomb.membersWritten = await writeRepeatedly(res, bombMember, bomb.totalMembers);
      },
    });
  });
  afterAll(() => server.close());

  it.each(['/gzip', '/x-gzip', '/deflate', '/deflate-raw', '/br', '/stacked'])('decodes %s', async (path) => {
    const result = await fetcher().fetchFeed({ url: `${server.origin}${path}` });
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    expect(result.body.toString('utf8')).toBe(RSS);
    expect(result.bytesReceived).toBeLessThan(Buffer.byteLength(RSS) + 64);
  });

  it('treats an empty compressed body as empty', async () => {
    const result = await fetcher().fetchFeed({ url: `${server.origin}/empty-gzip` });
    expect(result).toMatchObject({ kind: 'ok', bytesReceived: 0 });
    expect(result.kind === 'ok' && result.body.length).toBe(0);
  });

  it('reports corrupt compressed data as bad_encoding with the status', async () => {
    const error = await expectFeedError(fetcher().fetchFeed({ url: `${server.origin}/corrupt-gzip` }), 'bad_encoding');
    expect(error.details.status).toBe(200);
    expect(error.message).toContain(`${server.origin}/corrupt-gzip`);
  });

  it('reports an unsupported coding as bad_encoding', async () => {
    const error = await expectFeedError(fetcher().fetchFeed({ url: `${server.origin}/zstd` }), 'bad_encoding');
    expect(error.message).toContain('"zstd"');
  });

  it('reports a reset inside a compressed body as connection_reset, not bad_encoding', async () => {
    await expectFeedError(fetcher().fetchFeed({ url: `${server.origin}/gzip-reset` }), 'connection_reset');
  });

  it('reports a compressed body slower than the deadline as timeout, not bad_encoding', async () => {
    const error = await expectFeedError(fetcher({ timeoutMs: 300 }).fetchFeed({ url: `${server.origin}/gzip-slow` }), 'timeout');
    expect(error.details.status).toBe(200);
  });

  it('stops a gzip bomb at maxBytes of output without inflating it all', async () => {
    const error = await expectFeedError(
      fetcher({ maxBytes: 256 * 1024 }).fetchFeed({ url: `${server.origin}/bomb` }),
      'too_large',
    );
    expect(error.message).toBe(`response from ${server.origin}/bomb decompresses to more than 256 KiB (maxBytes)`);
    expect(error.details.status).toBe(200);
    // The client hung up early: the server could write only a fraction of the
    // ~100 MB (100 GiB inflated) before the socket closed.
    await expect.poll(() => bomb.membersWritten).toBeGreaterThan(0);
    expect(bomb.membersWritten).toBeLessThan(bomb.totalMembers / 2);
  });
});

describe('fetch: redirects', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      '/feed': (_req, res) => sendFeed(res),
      // /chain/301/308 → 301 to /chain/308 → 308 to /feed
      '/chain': (_req, res, url) => {
        const [status, ...rest] = url.pathname.split('/').slice(2);
        res.writeHead(Number(status), { location: rest.length ? `/chain/${rest.join('/')}` : '/feed' }).end('moved');
      },
      // /hops/N → N redirects (302) before the feed
      '/hops': (_req, res, url) => {
        const n = Number(url.pathname.split('/')[2]);
        res.writeHead(302, { location: n > 1 ? `/hops/${n - 1}` : '/feed' }).end();
      },
      '/dir/sub/relative': (_req, res) => res.writeHead(301, { location: '../../feed' }).end(),
      '/loop-a': (_req, res) => res.writeHead(302, { location: '/loop-b' }).end(),
      '/loop-b': (_req, res) => res.writeHead(302, { location: '/loop-a' }).end(),
      '/to-file': (_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end(),
      '/no-location': (_req, res) => res.writeHead(302).end(),
      '/see-other': (_req, res) => res.writeHead(303, { location: '/feed' }).end(),
      '/validated': (req, res) => {
        if (req.headers['if-none-match'] === '"c1"') res.writeHead(304, { etag: '"c1"' }).end();
        else sendFeed(res, { etag: '"c1"' });
      },
      '/moved-validated': (_req, res) => res.writeHead(301, { location: '/validated' }).end(),
    });
  });
  afterAll(() => server.close());

  it('sends the validators to where a 301 leads, and a 304 there carries the permanent URL', async () => {
    const result = await fetcher().fetchFeed({ url: `${server.origin}/moved-validated`, etag: '"c1"' });
    expect(result).toMatchObject({ kind: 'not_modified', status: 304, finalUrl: `${server.origin}/validated`, permanentUrl: `${server.origin}/validated` });
  });

  it.each([
    ['/chain/301', true],
    ['/chain/308', true],
    ['/chain/301/308/301', true],
    ['/chain/302', false],
    ['/chain/307', false],
    ['/chain/301/302', false],
    ['/chain/302/301', false],
  ])('%s ends at the feed; permanentUrl set: %s', async (path, permanent) => {
    const result = await fetcher().fetchFeed({ url: `${server.origin}${path}` });
    expect(result).toMatchObject({
      kind: 'ok',
      finalUrl: `${server.origin}/feed`,
      permanentUrl: permanent ? `${server.origin}/feed` : null,
    });
  });

  it('resolves a relative Location against the request URL', async () => {
    const result = await fetcher().fetchFeed({ url: `${server.origin}/dir/sub/relative` });
    expect(result).toMatchObject({ kind: 'ok', finalUrl: `${server.origin}/feed`, permanentUrl: `${server.origin}/feed` });
  });

  it('follows 303 See Other', async () => {
    const result = await fetcher().fetchFeed({ url: `${server.origin}/see-other` });
    expect(result).toMatchObject({ kind: 'ok', finalUrl: `${server.origin}/feed`, permanentUrl: null });
  });

  it('follows exactly maxRedirects (5) redirects', async () => {
    const result = await fetcher().fetchFeed({ url: `${server.origin}/hops/5` });
    expect(result).toMatchObject({ kind: 'ok', finalUrl: `${server.origin}/feed` });
  });

  it('fails with too_many_redirects on the 6th', async () => {
    const error = await expectFeedError(fetcher().fetchFeed({ url: `${server.origin}/hops/6` }), 'too_many_redirects');
    expect(error.message).toContain(`more than 5 redirects starting at ${server.origin}/hops/6`);
    expect(error.details.status).toBe(302);
  });

  it('honours a lower maxRedirects', async () => {
    await expectFeedError(fetcher({ maxRedirects: 1 }).fetchFeed({ url: `${server.origin}/hops/2` }), 'too_many_redirects');
  });

  it('recognises a redirect loop without exhausting the budget', async () => {
    const before = server.requests.length;
    const error = await expectFeedError(fetcher().fetchFeed({ url: `${server.origin}/loop-a` }), 'too_many_redirects');
    expect(error.message).toBe(
      `redirect loop: ${server.origin}/loop-a → ${server.origin}/loop-b → ${server.origin}/loop-a`,
    );
    expect(server.requests.length - before).toBe(2);
  });

  it('refuses a redirect to file: as bad_redirect', async () => {
    const error = await expectFeedError(fetcher().fetchFeed({ url: `${server.origin}/to-file` }), 'bad_redirect');
    expect(error.message).toContain('file:///etc/passwd');
    expect(error.details.status).toBe(302);
  });

  it('refuses a redirect without Location as bad_redirect', async () => {
    await expectFeedError(fetcher().fetchFeed({ url: `${server.origin}/no-location` }), 'bad_redirect');
  });
});

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
    const error = await expectFeedError(
      fetcher().fetchFeed({ url: `${server.origin}/status/429?retry-after=120` }),
      'http_rate_limited',
    );
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
    const error = await expectFeedError(
      fetcher().fetchFeed({ url: `${server.origin}/status/503?retry-after=30` }),
      'http_server_error',
    );
    expect(error.details).toMatchObject({ status: 503, retryAfterSeconds: 30 });
  });

  it('keeps working after many error responses (their bodies are released)', async () => {
    const f = fetcher({ concurrency: 2, perHost: 2 });
    const codes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        f.fetchFeed({ url: `${server.origin}/status/${i % 2 ? 404 : 500}` }).catch((e: FeedError) => e.code),
      ),
    );
    expect(new Set(codes)).toEqual(new Set(['http_not_found', 'http_server_error']));
  });
});

describe('fetch: timeouts, sizes and broken connections', () => {
  let server: TestServer;
  const bigChunked = { written: 0, total: 4096 };
  /** Requests to /hang and /slowloris by their ?id, and whether the client has hung up on them. */
  const hungUp = new Map<string, boolean>();
  const watchHangUp = (req: IncomingMessage, url: URL) => {
    const id = url.searchParams.get('id') ?? '';
    hungUp.set(id, false);
    req.socket.once('close', () => hungUp.set(id, true));
  };
  beforeAll(async () => {
    server = await startServer({
      '/feed': (_req, res) => sendFeed(res),
      '/hang': (req, _res, url) => watchHangUp(req, url), // accepts, never answers
      '/slowloris': async (req, res, url) => {
        watchHangUp(req, url);
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        // One byte every 50 ms: never idle long enough for bodyTimeout (timeoutMs, here 20 times that).
        while (!res.destroyed) {
          res.write('<');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      '/big-declared': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': 10 * 1024 * 1024 });
        res.write(Buffer.alloc(1024, 'a')); // then nothing: the client must not wait for the rest
      },
      '/big-chunked': async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        bigChunked.written = await writeRepeatedly(res, Buffer.alloc(16 * 1024, 'a'), bigChunked.total);
      },
      '/close-mid-body': (req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': 100_000 });
        res.write(Buffer.alloc(1000, 'a'), () => setTimeout(() => req.socket.destroy(), 20));
      },
      '/reset-mid-body': (req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.write(Buffer.alloc(1000, 'a'), () => setTimeout(() => req.socket.resetAndDestroy(), 20));
      },
    });
  });
  afterAll(() => server.close());

  // The deadline is honoured when the fetch fails with `timeout` and the connection is
  // closed: the server never answers (or never finishes), so nothing else ends the request.
  it('times out when the server never answers, and hangs up', async () => {
    const url = `${server.origin}/hang?id=never-answers`;
    const error = await expectFeedError(fetcher({ timeoutMs: 300 }).fetchFeed({ url }), 'timeout');
    expect(error.message).toContain(url);
    await expect.poll(() => hungUp.get('never-answers')).toBe(true);
  });

  it('times out a body that trickles in slower than the deadline (slowloris), and hangs up', async () => {
    const url = `${server.origin}/slowloris?id=trickle`;
    const error = await expectFeedError(fetcher({ timeoutMs: 1000 }).fetchFeed({ url }), 'timeout');
    // The total deadline, not the idle-body timeout (a byte arrived every 50 ms).
    expect(error.message).toBe(`no complete response from ${url} within 1000 ms (polling.timeoutMs)`);
    expect(error.details.status).toBe(200);
    await expect.poll(() => hungUp.get('trickle')).toBe(true);
  });

  it('rejects a Content-Length over maxBytes before reading the body', async () => {
    const error = await expectFeedError(
      fetcher({ maxBytes: 64 * 1024 }).fetchFeed({ url: `${server.origin}/big-declared` }),
      'too_large',
    );
    expect(error.message).toBe(
      `response from ${server.origin}/big-declared is 10 MiB (Content-Length), larger than 64 KiB (maxBytes)`,
    );
    expect(error.details.status).toBe(200);
  });

  it('aborts a chunked body once it passes maxBytes', async () => {
    const error = await expectFeedError(
      fetcher({ maxBytes: 64 * 1024 }).fetchFeed({ url: `${server.origin}/big-chunked` }),
      'too_large',
    );
    expect(error.message).toBe(`response from ${server.origin}/big-chunked is larger than 64 KiB (maxBytes)`);
    expect(error.details.status).toBe(200);
    await expect.poll(() => bigChunked.written).toBeGreaterThan(0);
    expect(bigChunked.written).toBeLessThan(bigChunked.total); // 64 MiB were never sent
  });

  it('reports a connection closed mid-body as connection_reset', async () => {
    const error = await expectFeedError(fetcher().fetchFeed({ url: `${server.origin}/close-mid-body` }), 'connection_reset');
    expect(error.details.status).toBe(200);
  });

  it('reports a TCP reset mid-body as connection_reset', async () => {
    await expectFeedError(fetcher().fetchFeed({ url: `${server.origin}/reset-mid-body` }), 'connection_reset');
  });

  it('reports a refused port as connection_refused', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    probe.close();
    await once(probe, 'close');
    const error = await expectFeedError(fetcher().fetchFeed({ url: `http://127.0.0.1:${port}/feed` }), 'connection_refused');
    expect(error.message).toBe(`connection refused by 127.0.0.1:${port} for http://127.0.0.1:${port}/feed`);
    expect(error.details.status).toBeUndefined();
  });

  it('reports an unresolvable name as dns_error', async () => {
    const error = await expectFeedError(
      fetcher({ lookup: fakeLookup({}) }).fetchFeed({ url: 'http://no-such-host.test/feed' }),
      'dns_error',
    );
    expect(error.message).toBe('cannot resolve no-such-host.test (ENOTFOUND) for http://no-such-host.test/feed');
  });

  it('reports a TLS handshake failure as tls_error', async () => {
    // Speaking TLS to a plain-HTTP port fails the handshake.
    const error = await expectFeedError(fetcher().fetchFeed({ url: `https://127.0.0.1:${server.port}/feed` }), 'tls_error');
    expect(error.message).toContain(`TLS error with 127.0.0.1:${server.port}`);
  });

  it("rejects with the caller's abort reason, not a FeedError", async () => {
    const controller = new AbortController();
    const pending = fetcher().fetchFeed({ url: `${server.origin}/hang`, signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const error = await pending.catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(FeedError);
    expect(error).toMatchObject({ name: 'AbortError' });
  });

  it('lets a caller abort a request still waiting for a concurrency slot', async () => {
    const f = fetcher({ concurrency: 1 });
    const first = new AbortController();
    const busy = f.fetchFeed({ url: `${server.origin}/hang`, signal: first.signal }).catch((e: unknown) => e);
    const second = new AbortController();
    const queued = f.fetchFeed({ url: `${server.origin}/feed`, signal: second.signal });
    second.abort(new Error('shutting down'));
    await expect(queued).rejects.toThrow('shutting down');
    first.abort();
    expect(await busy).toMatchObject({ name: 'AbortError' });
  });

  it('rejects an invalid or non-http URL', async () => {
    await expectFeedError(fetcher().fetchFeed({ url: 'not a url' }), 'network_error');
    await expectFeedError(fetcher().fetchFeed({ url: 'ftp://example.org/feed' }), 'network_error');
  });
});

describe('fetch: SSRF guard', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      '/feed': (_req, res) => sendFeed(res),
      '/to': (_req, res, url) => res.writeHead(302, { location: url.searchParams.get('url')! }).end(),
    });
  });
  afterAll(() => server.close());

  const guarded = (overrides: Partial<FetcherOptions> = {}) =>
    fetcher({
      allowPrivateNetworks: false,
      lookup: fakeLookup({ 'loopback.test': '127.0.0.1', 'internal.test': '10.0.0.5', 'mixed.test': '127.0.0.1' }),
      timeoutMs: 1_000,
      ...overrides,
    });

  it.each([
    ['127.0.0.1', () => `${server.origin}/feed`, 'http://127.0.0.1:PORT is a loopback address'],
    ['[::1]', () => `http://[::1]:${server.port}/feed`, 'http://[::1]:PORT is a loopback address'],
    ['10.0.0.1', () => 'http://10.0.0.1/feed', 'http://10.0.0.1 is a private address'],
    ['169.254.169.254', () => 'http://169.254.169.254/latest/meta-data/', 'http://169.254.169.254 is a link-local address (the cloud metadata endpoint)'],
    ['[::ffff:127.0.0.1]', () => `http://[::ffff:127.0.0.1]:${server.port}/feed`, 'is a loopback address'],
    ['a name resolving to 127.0.0.1', () => `http://loopback.test:${server.port}/feed`, 'loopback.test resolves to 127.0.0.1, a loopback address'],
  ])('blocks %s', async (_label, url, message) => {
    const before = server.requests.length;
    const error = await expectFeedError(guarded().fetchFeed({ url: url() }), 'blocked_address');
    expect(error.message).toContain(message.replace('PORT', String(server.port)));
    expect(error.message).toContain('set polling.allowPrivateNetworks to allow it');
    expect(server.requests.length).toBe(before); // never connected
  });

  it('allows the same server when private networks are allowed', async () => {
    const result = await fetcher({
      allowPrivateNetworks: true,
      lookup: fakeLookup({ 'loopback.test': '127.0.0.1' }),
    }).fetchFeed({ url: `http://loopback.test:${server.port}/feed` });
    expect(result.kind).toBe('ok');
  });

  describe('redirects from an allowed server', () => {
    // Only 127.0.0.1 itself is let through (by IP literal or by name); every
    // other private address, including the rest of 127/8, stays blocked.
    const allowOne = (address: string) => address === '127.0.0.1';

    it('reaches the allowed test address, by IP and by name', async () => {
      const f = guarded({ isAllowedAddress: allowOne });
      expect((await f.fetchFeed({ url: `${server.origin}/feed` })).kind).toBe('ok');
      expect((await f.fetchFeed({ url: `http://loopback.test:${server.port}/feed` })).kind).toBe('ok');
    });

    it.each([
      ['a private IP literal', () => 'http://10.0.0.1/feed', 'http://10.0.0.1 is a private address'],
      ['the metadata endpoint', () => 'http://169.254.169.254/latest/meta-data/', 'the cloud metadata endpoint'],
      ['another loopback address', () => `http://127.0.0.2:${server.port}/feed`, 'is a loopback address'],
      ['IPv6 loopback', () => `http://[::1]:${server.port}/feed`, 'is a loopback address'],
      ['a name resolving to a private address', () => `http://internal.test:${server.port}/feed`, 'internal.test resolves to 10.0.0.5, a private address'],
    ])('blocks a redirect to %s', async (_label, target, message) => {
      const start = `${server.origin}/to?url=${encodeURIComponent(target())}`;
      const error = await expectFeedError(guarded({ isAllowedAddress: allowOne }).fetchFeed({ url: start }), 'blocked_address');
      expect(error.message).toContain(message);
      expect(error.message).toContain(`(redirected from ${start})`);
    });
  });
});

describe('fetch: concurrency caps', () => {
  let server: TestServer;
  const inFlight = { total: 0, peakTotal: 0, byHost: new Map<string, number>(), peakByHost: new Map<string, number>() };
  // Each request is held until `gate` requests are in flight at once (or 500 ms
  // pass): a correct cap fills up exactly to its limit, a broken one overshoots,
  // and a slow machine cannot make the peak look lower than the cap.
  let gate = 1;
  let waiting: Array<() => void> = [];
  beforeAll(async () => {
    server = await startServer({
      '/slow': async (req, res) => {
        const host = (req.headers.host ?? '').split(':')[0]!;
        inFlight.total += 1;
        inFlight.peakTotal = Math.max(inFlight.peakTotal, inFlight.total);
        const count = (inFlight.byHost.get(host) ?? 0) + 1;
        inFlight.byHost.set(host, count);
        inFlight.peakByHost.set(host, Math.max(inFlight.peakByHost.get(host) ?? 0, count));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 500);
          waiting.push(() => {
            clearTimeout(timer);
            resolve();
          });
          if (inFlight.total >= gate) {
            const release = waiting;
            waiting = [];
            // Let a broken limiter's extra requests arrive before answering.
            setTimeout(() => release.forEach((open) => open()), 20);
          }
        });
        inFlight.total -= 1;
        inFlight.byHost.set(host, (inFlight.byHost.get(host) ?? 1) - 1);
        sendFeed(res);
      },
    });
  });
  afterAll(() => server.close());
  afterEach(() => {
    inFlight.peakTotal = 0;
    inFlight.peakByHost.clear();
  });

  it('holds the global cap', async () => {
    gate = 3;
    const f = fetcher({ concurrency: 3, perHost: 10 });
    const results = await Promise.all(Array.from({ length: 9 }, () => f.fetchFeed({ url: `${server.origin}/slow` })));
    expect(results.every((r) => r.kind === 'ok')).toBe(true);
    expect(inFlight.peakTotal).toBe(3);
  });

  it('holds the per-host cap while other hosts proceed', async () => {
    gate = 4;
    const f = fetcher({
      concurrency: 10,
      perHost: 2,
      lookup: fakeLookup({ 'a.test': '127.0.0.1', 'b.test': '127.0.0.1' }),
    });
    const urls = ['a.test', 'b.test'].flatMap((host) =>
      Array.from({ length: 6 }, () => `http://${host}:${server.port}/slow`),
    );
    await Promise.all(urls.map((url) => f.fetchFeed({ url })));
    expect(inFlight.peakByHost.get('a.test')).toBe(2);
    expect(inFlight.peakByHost.get('b.test')).toBe(2);
    expect(inFlight.peakTotal).toBe(4);
  });
});
