/**
 * A real HTTP server on 127.0.0.1 for tests, with routes set per test. Serves bodies
 * with ETag / If-None-Match → 304 unless a route handles the request itself.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface StaticRoute {
  body: string | Buffer;
  contentType?: string;
  status?: number;
  headers?: Record<string, string>;
}

export interface FixtureServer {
  url(path: string): string;
  /** Serve a body (with ETag/304) or run a handler at `path`. */
  route(path: string, route: StaticRoute | Handler): void;
  /** Requests seen per path. */
  hits(path: string): number;
  /** Requests seen on any path. */
  totalHits(): number;
  /** The request headers of the last request to a path. */
  lastHeaders(path: string): IncomingMessage['headers'] | undefined;
  reset(): void;
  close(): Promise<void>;
}

/** `host`: another loopback address (e.g. 127.0.0.2) lets SSRF tests allow this server alone. */
export async function startFixtureServer(host = '127.0.0.1'): Promise<FixtureServer> {
  const routes = new Map<string, StaticRoute | Handler>();
  const hits = new Map<string, number>();
  const headers = new Map<string, IncomingMessage['headers']>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    headers.set(path, req.headers);
    const route = routes.get(path);
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (typeof route === 'function') {
      route(req, res);
      return;
    }
    const body = Buffer.isBuffer(route.body) ? route.body : Buffer.from(route.body);
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
    if ((route.status ?? 200) === 200 && req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(route.status ?? 200, { 'content-type': route.contentType ?? 'application/rss+xml', etag, ...route.headers }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://${host}:${port}${path}`,
    route: (path, route) => void routes.set(path, route),
    hits: (path) => hits.get(path) ?? 0,
    totalHits: () => [...hits.values()].reduce((sum, n) => sum + n, 0),
    lastHeaders: (path) => headers.get(path),
    reset: () => {
      routes.clear();
      hits.clear();
      headers.clear();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A small RSS 2.0 document. */
export function rssFeed(
  title: string,
  items: Array<{ guid?: string; title: string; link?: string; description?: string; pubDate?: string; category?: string }>,
): string {
  const entries = items
    .map(
      (item) => `<item>
  <title>${item.title}</title>
  ${item.link ? `<link>${item.link}</link>` : ''}
  ${item.guid ? `<guid isPermaLink="false">${item.guid}</guid>` : ''}
  ${item.description ? `<description><![CDATA[${item.description}]]></description>` : ''}
  ${item.category ? `<category>${item.category}</category>` : ''}
  <pubDate>${item.pubDate ?? 'Mon, 23 Nov 2026 10:00:00 GMT'}</pubDate>
</item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>${title}</title><link>https://${title.toLowerCase().replace(/\W+/g, '')}.example/</link><description>${title}</description>
${entries}
</channel></rss>`;
}
