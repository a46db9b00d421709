/**
 * The fetch stage with a source's HTTP Basic credentials, through real sockets: sent and
 * accepted, refused (401 with a message saying which), and never carried by a redirect to
 * another origin (here another port of 127.0.0.1).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BasicCredentials } from '../../../src/ingest/fetch/index.ts';
import { expectFeedError, sendFeed, startServer, useFetchers, type TestServer } from '../../helpers/fetch-harness.ts';

const fetcher = useFetchers();
const USER = 'reader';
const PASSWORD = 'pä55-wörd:with-colon';
const EXPECTED = `Basic ${Buffer.from(`${USER}:${PASSWORD}`, 'utf8').toString('base64')}`;

/** Authorization headers received, by path. */
const seen = new Map<string, Array<string | undefined>>();
function record(req: IncomingMessage, path: string): string | undefined {
  seen.set(path, [...(seen.get(path) ?? []), req.headers.authorization]);
  return req.headers.authorization;
}

function protectedFeed(path: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (record(req, path) === EXPECTED) sendFeed(res);
    else res.writeHead(401, { 'www-authenticate': 'Basic realm="feeds", charset="UTF-8"' }).end('credentials needed');
  };
}

describe('fetch: HTTP Basic credentials', () => {
  let site: TestServer;
  let other: TestServer;
  let credentials: BasicCredentials;
  const wrong = () => ({ ...credentials, password: 'not-the-password' });

  beforeAll(async () => {
    other = await startServer({
      '/feed': (req, res) => {
        record(req, 'other/feed');
        sendFeed(res);
      },
      '/private': protectedFeed('other/private'),
    });
    site = await startServer({
      '/private': protectedFeed('/private'),
      // Wants Digest: Basic credentials never get in.
      '/digest': (_req, res) => res.writeHead(401, { 'www-authenticate': 'Digest realm="feeds", qop="auth", nonce="abc"' }).end(),
      '/moved': (req, res) => {
        record(req, '/moved');
        res.writeHead(301, { location: '/private' }).end();
      },
      '/elsewhere': (req, res) => {
        record(req, '/elsewhere');
        res.writeHead(302, { location: `${other.origin}/feed` }).end();
      },
      '/elsewhere-private': (_req, res) => res.writeHead(302, { location: `${other.origin}/private` }).end(),
    });
    credentials = { username: USER, password: PASSWORD, origin: site.origin };
  });
  afterAll(async () => {
    await site.close();
    await other.close();
  });

  it('sends the credentials, UTF-8 encoded, and gets the feed', async () => {
    const result = await fetcher().fetchFeed({ url: `${site.origin}/private`, credentials });
    expect(result.kind).toBe('ok');
    expect(seen.get('/private')?.at(-1)).toBe(EXPECTED);
  });

  it('records a refused password as http_unauthorized, saying the credentials were refused', async () => {
    const error = await expectFeedError(fetcher().fetchFeed({ url: `${site.origin}/private`, credentials: wrong() }), 'http_unauthorized');
    expect(error.details.status).toBe(401);
    expect(error.message).toBe(
      `HTTP 401 Unauthorized from ${site.origin}/private: the credentials were refused (check auth.username and the password in its passwordEnv variable)`,
    );
  });

  it('says the feed asks for credentials when none were configured', async () => {
    const error = await expectFeedError(fetcher().fetchFeed({ url: `${site.origin}/private` }), 'http_unauthorized');
    expect(error.message).toBe(`HTTP 401 Unauthorized from ${site.origin}/private: the feed asks for credentials`);
  });

  it('says so when the feed asks for another scheme than Basic', async () => {
    const error = await expectFeedError(fetcher().fetchFeed({ url: `${site.origin}/digest`, credentials }), 'http_unauthorized');
    expect(error.message).toContain('the credentials were refused');
    expect(error.message).toContain('it asks for Digest authentication, and Tidings sends only Basic');
  });

  it('keeps sending them through a redirect within their origin', async () => {
    const result = await fetcher().fetchFeed({ url: `${site.origin}/moved`, credentials });
    expect(result).toMatchObject({ kind: 'ok', finalUrl: `${site.origin}/private` });
    expect(seen.get('/moved')?.at(-1)).toBe(EXPECTED);
  });

  it('does not send them to another origin a redirect leads to', async () => {
    const result = await fetcher().fetchFeed({ url: `${site.origin}/elsewhere`, credentials });
    expect(result).toMatchObject({ kind: 'ok', finalUrl: `${other.origin}/feed` });
    expect(seen.get('/elsewhere')?.at(-1)).toBe(EXPECTED);
    expect(seen.get('other/feed')).toEqual([undefined]);
  });

  it('explains a 401 on the other origin: the credentials stay with their own', async () => {
    const error = await expectFeedError(fetcher().fetchFeed({ url: `${site.origin}/elsewhere-private`, credentials }), 'http_unauthorized');
    expect(seen.get('other/private')).toEqual([undefined]);
    expect(error.message).toBe(
      `HTTP 401 Unauthorized from ${other.origin}/private: the feed asks for credentials; this source's are sent only to ${site.origin}, and the request was redirected to another origin`,
    );
  });

  it('never puts the password in an error message', async () => {
    const errors = await Promise.all(
      [`${site.origin}/private`, `${site.origin}/digest`, `${site.origin}/elsewhere-private`].map((url) =>
        fetcher()
          .fetchFeed({ url, credentials: wrong() })
          .catch((error: Error) => error.message),
      ),
    );
    for (const message of errors) {
      expect(message).not.toContain('not-the-password');
      expect(message).not.toContain(Buffer.from(`${USER}:not-the-password`).toString('base64'));
    }
  });
});
