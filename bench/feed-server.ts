/** The benchmark's feed server: in-memory documents with strong ETags and 304s. */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BenchFeedServer {
  url(path: string): string;
  set(path: string, body: string, contentType: string): void;
  requests: { total: number; notModified: number; bytes: number };
  close(): Promise<void>;
}

export async function startBenchFeedServer(): Promise<BenchFeedServer> {
  const docs = new Map<string, { body: Buffer; etag: string; contentType: string }>();
  const requests = { total: 0, notModified: 0, bytes: 0 };
  const server: Server = createServer((req, res) => {
    requests.total++;
    const doc = docs.get(req.url ?? '');
    if (!doc) {
      res.writeHead(404).end();
      return;
    }
    if (req.headers['if-none-match'] === doc.etag) {
      requests.notModified++;
      res.writeHead(304, { etag: doc.etag }).end();
      return;
    }
    requests.bytes += doc.body.length;
    res.writeHead(200, { 'content-type': doc.contentType, etag: doc.etag, 'content-length': doc.body.length }).end(doc.body);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    set(path, body, contentType) {
      const bytes = Buffer.from(body);
      docs.set(path, { body: bytes, etag: `"${createHash('sha1').update(bytes).digest('hex')}"`, contentType });
    },
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
