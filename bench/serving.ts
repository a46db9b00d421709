/**
 * Serving a topic feed against bare `node:http` serving the same bytes (bench/load.ts): the
 * 200, the 304 a reader's revalidation gets, and the gzip copy readers ask for.
 */
import { request } from 'undici';
import { compareLoad, type LoadComparison, startBaselineServer } from './load.ts';

type RecordFigure = (name: string, value: number, unit: string, target?: { text: string; met: boolean }) => void;

export async function servingFigures(feedUrl: string, load: { connections: number; seconds: number }, record: RecordFigure): Promise<void> {
  console.log('\nServing a 50-item topic feed (RSS)');
  // The load sends no Accept-Encoding, so the document and the ETag it revalidates with are
  // the identity ones; fetch() would have asked for br and got that coding's tag, which
  // Tidings matches too, but by parsing it (a reader sends back the tag it was given).
  const first = await request(feedUrl);
  const body = Buffer.from(await first.body.arrayBuffer());
  const etag = first.headers.etag;
  if (typeof etag !== 'string') throw new Error(`${feedUrl} answered without an ETag`);
  // What a feed reader gets: they send Accept-Encoding, and Tidings keeps a gzip copy.
  const gzipped = await request(feedUrl, { headers: { 'accept-encoding': 'gzip' } });
  if (gzipped.headers['content-encoding'] !== 'gzip') throw new Error(`${feedUrl} did not answer gzip to Accept-Encoding: gzip`);
  const gzipBody = Buffer.from(await gzipped.body.arrayBuffer());
  const baselineServer = await startBaselineServer(body, etag, 'application/rss+xml; charset=utf-8', gzipBody);
  const compare = (headers?: Record<string, string>) => compareLoad(feedUrl, baselineServer.url, { ...load, headers });
  const serving200 = await compare();
  const serving304 = await compare({ 'if-none-match': etag });
  const servingGzip = await compare({ 'accept-encoding': 'gzip' });
  await baselineServer.close();
  const serving = (label: string, { ours, baseline: base }: LoadComparison) => {
    record(`${label}: baseline node:http requests/s`, base.requestsPerSecond, 'req/s');
    record(`${label}: Tidings requests/s`, ours.requestsPerSecond, 'req/s');
    record(`${label}: Tidings / baseline`, ours.requestsPerSecond / base.requestsPerSecond, '×', {
      text: '≥ 0.9',
      met: ours.requestsPerSecond / base.requestsPerSecond >= 0.9,
    });
    record(`${label}: Tidings p50 latency`, ours.p50, 'ms');
    record(`${label}: Tidings p99 latency`, ours.p99, 'ms', { text: '≤ 20', met: ours.p99 <= 20 });
    // The same percentile of the bare server: at a given rate, 64 connections bound the mean
    // latency (Little's law), whatever serves them.
    record(`${label}: baseline node:http p99 latency`, base.p99, 'ms');
  };
  serving(`200 (${Math.round(body.length / 1024)} KB body)`, serving200);
  serving('304 (If-None-Match)', serving304);
  serving(`200 gzip (${Math.round(gzipBody.length / 1024)} KB body)`, servingGzip);
}
