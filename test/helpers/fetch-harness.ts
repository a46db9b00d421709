/**
 * The fetch stage's test harness (test/integration/fetch/): a node:http server on
 * 127.0.0.1 (port 0) routing by path prefix, a fetcher factory that closes what it
 * made after each test, and the response writers and assertions the suites share.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, expect } from 'vitest';
import { FeedError, type FeedErrorCode } from '../../src/errors.ts';
import { createFetcher, type Fetcher, type FetcherOptions } from '../../src/ingest/fetch/index.ts';

export const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test feed</title><link>https://example.org/</link>
<item><title>Hello</title><link>https://example.org/hello</link></item></channel></rss>
`;

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => unknown;

export interface TestServer {
  origin: string;
  port: number;
  /** Requests received, by path (with query). */
  requests: string[];
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1:0 routing by pathname prefix (longest first). */
export async function startServer(routes: Record<string, Handler>): Promise<TestServer> {
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

export const BASE_OPTIONS: FetcherOptions = {
  timeoutMs: 2_000,
  maxBytes: 1024 * 1024,
  userAgent: 'Tidings-test/0.1 (+https://example.org/tidings; feed aggregator)',
  allowPrivateNetworks: true,
  concurrency: 8,
  perHost: 4,
};

/** The fetcher factory of one test file: every fetcher it made is closed after each test. */
export function useFetchers(): (overrides?: Partial<FetcherOptions>) => Fetcher {
  const fetchers: Fetcher[] = [];
  afterEach(async () => {
    await Promise.all(fetchers.splice(0).map((f) => f.close()));
  });
  return function fetcher(overrides: Partial<FetcherOptions> = {}): Fetcher {
    const created = createFetcher({ ...BASE_OPTIONS, ...overrides });
    fetchers.push(created);
    return created;
  };
}

export async function expectFeedError(promise: Promise<unknown>, code: FeedErrorCode): Promise<FeedError> {
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

export function sendFeed(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', ...headers }).end(RSS);
}

export function sendEncoded(res: ServerResponse, encoding: string, body: Buffer): void {
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
export async function writeRepeatedly(res: ServerResponse, chunk: Buffer, times: number): Promise<number> {
  let written = 0;
  while (written < times && !res.destroyed) {
    written += 1;
    if (!res.write(chunk) && !(await drainedOrClosed(res))) break;
  }
  if (!res.destroyed) res.end();
  return written;
}
