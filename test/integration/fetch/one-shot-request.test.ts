/** The one-shot requester WebSub uses: the fetcher's SSRF guard, no redirects, the body sent as given. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedError } from '../../../src/errors.ts';
import { createOneShotRequester } from '../../../src/ingest/fetch/index.ts';
import { startFixtureServer, type FixtureServer } from '../../helpers/fixture-server.ts';

let server: FixtureServer;
let received = '';

beforeAll(async () => {
  server = await startFixtureServer();
  server.route('/moved', { status: 301, body: '', headers: { location: '/elsewhere' } });
  server.route('/echo', (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received = `${req.method} ${req.headers['content-type']} ${body}`;
      res.writeHead(202).end('accepted');
    });
  });
});
afterAll(() => server?.close());

const options = { timeoutMs: 2000, userAgent: 'test' };

describe('one-shot requests', () => {
  it('refuses a private address unless private networks are allowed, as polls do', async () => {
    const guarded = createOneShotRequester({ ...options, allowPrivateNetworks: false });
    const error = await guarded.request({ method: 'POST', url: server.url('/echo'), body: 'x' }).catch((e: unknown) => e);
    await guarded.close();
    expect(error).toBeInstanceOf(FeedError);
    expect((error as FeedError).code).toBe('blocked_address');
  });

  it('sends the method, headers and body, and answers with the status and body', async () => {
    const open = createOneShotRequester({ ...options, allowPrivateNetworks: true });
    const answer = await open.request({ method: 'POST', url: server.url('/echo'), headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(answer).toEqual({ status: 202, body: 'accepted' });
    expect(received).toBe('POST text/plain hello');
    // A redirect is an answer, not followed.
    expect((await open.request({ method: 'GET', url: server.url('/moved') })).status).toBe(301);
    await open.close();
  });
});
