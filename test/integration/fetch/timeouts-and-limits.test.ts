/**
 * The fetch stage through real sockets: the deadline, the size caps, broken
 * connections, DNS and TLS failures, cancellation by the caller, and invalid URLs.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedError } from '../../../src/errors.ts';
import { fakeLookup } from '../../helpers/fake-dns.ts';
import { expectFeedError, sendFeed, startServer, useFetchers, writeRepeatedly, type TestServer } from '../../helpers/fetch-harness.ts';

const fetcher = useFetchers();

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
    const error = await expectFeedError(fetcher({ maxBytes: 64 * 1024 }).fetchFeed({ url: `${server.origin}/big-declared` }), 'too_large');
    expect(error.message).toBe(`response from ${server.origin}/big-declared is 10 MiB (Content-Length), larger than 64 KiB (maxBytes)`);
    expect(error.details.status).toBe(200);
  });

  it('aborts a chunked body once it passes maxBytes', async () => {
    const error = await expectFeedError(fetcher({ maxBytes: 64 * 1024 }).fetchFeed({ url: `${server.origin}/big-chunked` }), 'too_large');
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
    const error = await expectFeedError(fetcher({ lookup: fakeLookup({}) }).fetchFeed({ url: 'http://no-such-host.test/feed' }), 'dns_error');
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
