/**
 * The fetch stage through real sockets: gzip, deflate (zlib and raw), br and stacked
 * codings decoded; corrupt, unsupported, cut-short and slow bodies; a gzip bomb stopped at maxBytes.
 */
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFeedError, RSS, sendEncoded, startServer, useFetchers, writeRepeatedly, type TestServer } from '../../helpers/fetch-harness.ts';

const fetcher = useFetchers();

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
    const error = await expectFeedError(fetcher({ maxBytes: 256 * 1024 }).fetchFeed({ url: `${server.origin}/bomb` }), 'too_large');
    expect(error.message).toBe(`response from ${server.origin}/bomb decompresses to more than 256 KiB (maxBytes)`);
    expect(error.details.status).toBe(200);
    // The client hung up early: the server could write only a fraction of the
    // ~100 MB (100 GiB inflated) before the socket closed.
    await expect.poll(() => bomb.membersWritten).toBeGreaterThan(0);
    expect(bomb.membersWritten).toBeLessThan(bomb.totalMembers / 2);
  });
});
