/**
 * The fetch stage through real sockets: redirects followed hop by hop, permanent URLs,
 * the redirect budget, loops, and Locations that are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFeedError, sendFeed, startServer, useFetchers, type TestServer } from '../../helpers/fetch-harness.ts';

const fetcher = useFetchers();

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
    expect(error.message).toBe(`redirect loop: ${server.origin}/loop-a → ${server.origin}/loop-b → ${server.origin}/loop-a`);
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
