/**
 * HTTP load from a separate process (autocannon), so the server under test keeps its own
 * core: requests/s and latency percentiles for one URL, optionally conditional.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

export async function load(url: string, options: { connections: number; seconds: number; headers?: Record<string, string> }): Promise<LoadResult> {
  const args = [autocannonBin, '--json', '-c', String(options.connections), '-d', String(options.seconds)];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}=${value}`);
  args.push(url);
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 });
  const result = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    '2xx': number;
  };
  return { requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

/** The two servers' figures for one kind of request, measured under the same conditions. */
export interface LoadComparison {
  ours: LoadResult;
  baseline: LoadResult;
}

/**
 * Loads the baseline and our server alternately, in the order baseline, ours, ours, baseline
 * (half the time each), so that whatever else the machine does meanwhile (Postgres'
 * autovacuum after a big ingest, another tenant) weighs on both alike: a drift cancels out
 * instead of landing on whichever ran second. Requests/s are the mean of the two halves,
 * latency percentiles the worse of the two.
 */
export async function compareLoad(
  oursUrl: string,
  baselineUrl: string,
  options: { connections: number; seconds: number; headers?: Record<string, string> },
): Promise<LoadComparison> {
  const half = { ...options, seconds: Math.max(1, Math.round(options.seconds / 2)) };
  const baselineFirst = await load(baselineUrl, half);
  const oursFirst = await load(oursUrl, half);
  const oursSecond = await load(oursUrl, half);
  const baselineSecond = await load(baselineUrl, half);
  return { ours: merged(oursFirst, oursSecond), baseline: merged(baselineFirst, baselineSecond) };
}

function merged(a: LoadResult, b: LoadResult): LoadResult {
  return {
    requestsPerSecond: (a.requestsPerSecond + b.requestsPerSecond) / 2,
    p50: Math.max(a.p50, b.p50),
    p99: Math.max(a.p99, b.p99),
    non2xx: a.non2xx + b.non2xx,
    errors: a.errors + b.errors,
  };
}

/**
 * The serving baseline: a minimal node:http server holding the same bytes, with the same ETag
 * logic, and the same gzip bytes for a client that accepts them.
 */
export async function startBaselineServer(body: Buffer, etag: string, contentType: string, gzipped: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    const bytes = gzip ? gzipped : body;
    res
      .writeHead(200, {
        'content-type': contentType,
        etag,
        'content-length': bytes.length,
        vary: 'accept-encoding',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      })
      .end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
