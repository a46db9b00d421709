/**
 * The admin API through a real socket, on a service built by serve() exactly as in
 * production, with private networks NOT allowed. The feeds Tidings may fetch live on a
 * fixture server at 127.0.0.2, the one address the fetcher's test hook lets through;
 * a second server on 127.0.0.1 stands for "an internal service" and must never be
 * reached, whatever URL or redirect an admin tries.
 */
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { regenerateFeeds } from '../../jobs/regenerate-feeds.ts';
import { readEnv } from '../../src/config/env.ts';
import { buildServer } from '../../src/http/server.ts';
import { servedTopics } from '../../src/http/served-topics.ts';
import { createFeedCache } from '../../src/http/feed-cache.ts';
import { serve, type Service } from '../../src/main.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { clearContent, createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

const TOKEN = 'test-admin-token-0123456789abcdef';
const ALLOWED_ADDRESS = '127.0.0.2';

let feeds: FixtureServer; // reachable: 127.0.0.2
let internal: FixtureServer; // "internal": 127.0.0.1, never to be reached
let service: Service;

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toUTCString();

const wire = () =>
  rssFeed('Wire', [
    { guid: 'w1', title: 'North Korea fires missile', link: 'https://wire.example/nk-missile', pubDate: hoursAgo(5) },
    { guid: 'w2', title: 'Markets close higher', link: 'https://wire.example/markets', pubDate: hoursAgo(4) },
  ]);
const daily = () =>
  rssFeed('The Daily', [
    { guid: 'd1', title: 'Missile launch, Daily copy', link: 'https://wire.example/nk-missile', pubDate: hoursAgo(3), description: 'From Pyongyang.' },
    { guid: 'd2', title: 'Seoul hosts summit', link: 'https://daily.example/summit', pubDate: hoursAgo(2) },
    { guid: 'd3', title: 'Weather turns cold', link: 'https://daily.example/weather', pubDate: hoursAgo(1) },
  ]);
const dailyWithLateNews = () =>
  daily().replace(
    '</channel>',
    `<item><title>Late news from Seoul</title><guid>d4</guid><link>https://daily.example/late</link><pubDate>${hoursAgo(0.5)}</pubDate></item></channel>`,
  );
const htmlPage = (head: string) => `<!doctype html><html><head><title>A site</title>${head}</head><body><p>Hello</p></body></html>`;

/** The feeds server's routes as every test starts with them (a test may change or add some). */
function baseRoutes() {
  feeds.reset();
  feeds.route('/wire.xml', { body: wire() });
  feeds.route('/daily.xml', { body: daily() });
  feeds.route('/blog/', {
    body: htmlPage('<link rel="alternate" type="application/rss+xml" title="Blog" href="/blog/feed.xml">'),
    contentType: 'text/html; charset=utf-8',
  });
  feeds.route('/blog/feed.xml', { body: rssFeed('Blog', [{ guid: 'b1', title: 'First post', link: 'https://blog.example/1', pubDate: hoursAgo(6) }]) });
  feeds.route('/plain-site/', { body: htmlPage(''), contentType: 'text/html' });
  feeds.route('/feed', { body: rssFeed('Site feed', [{ guid: 's1', title: 'Site news', link: 'https://site.example/1', pubDate: hoursAgo(6) }]) });
  feeds.route('/data.json', { body: '{"hello": "world"}', contentType: 'application/json' });
}

beforeAll(async () => {
  feeds = await startFixtureServer(ALLOWED_ADDRESS);
  internal = await startFixtureServer('127.0.0.1');
  baseRoutes();
  internal.route('/feed.xml', { body: rssFeed('Internal', [{ guid: 'i1', title: 'secret', link: 'https://internal.example/1' }]) });

  const config = testConfig({
    topics: [
      { slug: 'korea', title: 'Korea', description: 'Korean Peninsula news', include: ['north korea', 'seoul'] },
      { slug: 'world', title: 'World News', include: [] },
    ],
    sources: [{ url: feeds.url('/wire.xml'), title: 'Wire Service' }],
    polling: { timeoutMs: 2000, maxBytes: 1024 * 1024, allowPrivateNetworks: false, concurrency: 4, perHost: 4 },
  });
  const env = { ...readEnv({}), port: 0, publicUrl: 'http://feeds.test', adminToken: TOKEN };
  service = await serve(env, config, silentLog, {
    handleSignals: false,
    database: await createTestDatabase(),
    fetcherHooks: { isAllowedAddress: (address) => address === ALLOWED_ADDRESS },
  });
  await service.pollNow();
});
afterAll(async () => {
  await service?.stop();
  await feeds?.close();
  await internal?.close();
});

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(method: string, path: string, body?: unknown, token: string | null = TOKEN, headers: Record<string, string> = {}): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${service.url}${path}`, init);
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, headers: response.headers, body: type.includes('json') && text !== '' ? JSON.parse(text) : text };
}

async function feedTitles(topic: string): Promise<string[]> {
  await service.syncFeeds();
  const response = await fetch(`${service.url}/topics/${topic}/feed.json`);
  return ((await response.json()) as { items: Array<{ title: string }> }).items.map((i) => i.title);
}

const sourceByUrl = async (url: string) =>
  ((await call('GET', '/admin/api/sources')).body.sources as Array<{ id: number; url: string }>).find((s) => s.url === url);

/** No source, item, story or digest; the feeds server's routes as defined above. */
async function noSources(): Promise<void> {
  await clearContent(service.context.database);
  baseRoutes();
}

/**
 * Where the tests that read or change sources start: the config source (the Wire) alone,
 * polled, and the topic feeds rendered from it.
 */
async function onlyTheWire(): Promise<void> {
  await noSources();
  await syncConfigSources(service.context.db, service.context.config.sources, new Date());
  await service.pollNow();
  await regenerateFeeds(service.context, { kinds: ['feed'] });
}

/** Adds The Daily through the API (stored at once: three items). */
async function addDaily(topics: string[] = ['world']): Promise<{ id: number }> {
  const answer = await call('POST', '/admin/api/sources', { url: feeds.url('/daily.xml'), topics });
  expect(answer.status).toBe(201);
  return answer.body.source;
}

describe('admin API: authentication', () => {
  it('answers 503 with how to enable it when ADMIN_TOKEN is unset', async () => {
    for (const admin of [undefined, { token: null, api: {} as never, secureCookies: false }]) {
      const app = buildServer({
        log: silentLog,
        topics: servedTopics([]),
        publicUrl: 'http://x.test',
        feedCache: createFeedCache({ generations: async () => [], documents: async () => [] }),
        renderDocument: async () => ({ body: '', etag: '""' }),
        findDigest: async () => undefined,
        admin,
      });
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      try {
        const apiAnswer = await fetch(`${url}/admin/api/sources`, { headers: { authorization: `Bearer ${TOKEN}` } });
        expect(apiAnswer.status).toBe(503);
        const body = (await apiAnswer.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('admin_disabled');
        expect(body.error.message).toContain('set the ADMIN_TOKEN environment variable');
        const page = await fetch(`${url}/admin`, { headers: { accept: 'text/html' } });
        expect(page.status).toBe(503);
        expect(await page.text()).toContain('ADMIN_TOKEN');
        // A client preferring JSON gets JSON, as from every other route (content-negotiation.ts).
        const jsonFirst = await fetch(`${url}/admin`, { headers: { accept: 'application/json, text/html;q=0.5' } });
        expect(jsonFirst.headers.get('content-type')).toContain('application/json');
        expect(((await jsonFirst.json()) as { error: { code: string } }).error.code).toBe('admin_disabled');
        expect((await fetch(`${url}/admin/sources/1`, { method: 'POST' })).status).toBe(503);
      } finally {
        await app.close();
      }
    }
  });

  const routes: Array<[string, string]> = [
    ['GET', '/admin/api/sources'],
    ['POST', '/admin/api/sources'],
    ['GET', '/admin/api/sources/1'],
    ['PATCH', '/admin/api/sources/1'],
    ['DELETE', '/admin/api/sources/1'],
    ['POST', '/admin/api/sources/1/refresh'],
    ['GET', '/admin/api/opml'],
    ['POST', '/admin/api/opml'],
    ['POST', '/admin/api/topics/korea/preview'],
  ];

  // Wrong tokens are counted per client address (10 a minute): this file sends few of them.
  it.each(routes)('%s %s answers 401 without a token or with another scheme', async (method, path) => {
    const body = method === 'GET' || method === 'DELETE' ? undefined : {};
    for (const [token, headers] of [
      [null, {}],
      [null, { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }],
    ] as const) {
      const answer = await call(method, path, body, token, headers);
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('unauthorized');
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="tidings-admin"/);
    }
    const before = await call('GET', '/admin/api/sources');
    expect(before.status).toBe(200);
  });

  it('accepts the scheme in any case, and nothing but the token itself', async () => {
    expect((await call('GET', '/admin/api/sources', undefined, null, { authorization: `bearer ${TOKEN}` })).status).toBe(200);
    for (const wrong of ['wrong-token', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const answer = await call('DELETE', '/admin/api/sources/1', undefined, wrong);
      expect(answer.status).toBe(401);
      expect(answer.body.error).toEqual({ code: 'unauthorized', message: 'wrong admin token' });
      expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
  });

  it('answers 429 to wrong tokens from an address that keeps sending them, and still lets the right one in', async () => {
    // From another loopback address, so the limit does not block the rest of this file.
    const from3 = (token: string) =>
      new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
        const { hostname, port } = new URL(service.url);
        const request = httpGet(
          { hostname, port, path: '/admin/api/sources', localAddress: '127.0.0.3', headers: { authorization: `Bearer ${token}` } },
          (response) => {
            let body = '';
            response.on('data', (chunk) => (body += chunk)).on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
          },
        );
        request.on('error', reject);
      });
    for (let i = 0; i < 10; i++) expect((await from3(`guess-${i}`)).status).toBe(401);
    const blocked = await from3('guess-10');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(blocked.body).error.code).toBe('too_many_attempts');
    expect((await from3(TOKEN)).status).toBe(200);
    expect((await call('GET', '/admin/api/sources')).status).toBe(200);
  });
});

describe('admin API: adding sources', () => {
  beforeEach(onlyTheWire);

  it('lists the config source with its health', async () => {
    const answer = await call('GET', '/admin/api/sources');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body.sources).toEqual([
      expect.objectContaining({
        url: feeds.url('/wire.xml'),
        title: 'Wire Service',
        origin: 'config',
        state: 'ok',
        lastStatus: 200,
        errorCode: null,
        consecutiveFailures: 0,
        itemsLast7Days: 2,
        itemsTotal: 2,
      }),
    ]);
    expect(answer.body.sources[0].nextPollAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it.each([
    ['no body', undefined, 'invalid_request'],
    ['no url', { topics: [] }, 'invalid_request'],
    ['an unknown field', { url: 'https://example.org/feed', colour: 'red' }, 'invalid_request'],
    ['topics of the wrong type', { url: 'https://example.org/feed', topics: 'korea' }, 'invalid_request'],
    ['a relative URL', { url: '/feed.xml' }, 'invalid_url'],
    ['not a URL', { url: 'not a url at all' }, 'invalid_url'],
    ['an ftp URL', { url: 'ftp://example.org/feed' }, 'invalid_url'],
    ['a javascript URL', { url: 'javascript:alert(1)' }, 'invalid_url'],
    ['credentials in the URL', { url: 'https://user:pass@example.org/feed' }, 'invalid_url'],
  ])('answers 400 for %s', async (_label, body, code) => {
    const answer = await call('POST', '/admin/api/sources', body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(code);
    expect(answer.body.error.message.length).toBeGreaterThan(5);
  });

  it('answers 422 for an unknown topic, before fetching anything', async () => {
    const before = feeds.hits('/daily.xml');
    const answer = await call('POST', '/admin/api/sources', { url: feeds.url('/daily.xml'), topics: ['korea', 'sports'] });
    expect(answer.status).toBe(422);
    expect(answer.body.error).toEqual({ code: 'unknown_topic', message: 'unknown topic "sports" (topics: korea, world)' });
    expect(feeds.hits('/daily.xml')).toBe(before);
  });

  it('previews without adding on dryRun', async () => {
    const answer = await call('POST', '/admin/api/sources', { url: feeds.url('/daily.xml'), topics: ['world'], dryRun: true });
    expect(answer.status).toBe(200);
    expect(answer.body.kind).toBe('preview');
    expect(answer.body.feed).toMatchObject({ title: 'The Daily', format: 'rss2.0', itemCount: 3 });
    expect(await sourceByUrl(feeds.url('/daily.xml'))).toBeUndefined();
  });

  it('adds a feed with 201: the source, the feed title and a preview of its latest items, stored at once', async () => {
    const hits = feeds.hits('/daily.xml');
    const answer = await call('POST', '/admin/api/sources', { url: feeds.url('/daily.xml'), topics: ['world'] });
    expect(answer.status).toBe(201);
    expect(answer.body.kind).toBe('added');
    expect(answer.headers.get('location')).toBe(`/admin/api/sources/${answer.body.source.id}`);
    expect(answer.body.source).toMatchObject({
      url: feeds.url('/daily.xml'),
      title: 'The Daily',
      origin: 'admin',
      topics: ['world'],
      state: 'ok',
      itemsTotal: 3,
    });
    expect(answer.body.feed.title).toBe('The Daily');
    expect(answer.body.feed.items.map((i: { title: string }) => i.title)).toEqual(['Weather turns cold', 'Seoul hosts summit', 'Missile launch, Daily copy']);
    expect(answer.body.feed.items[1].topics).toEqual(['korea', 'world']);
    // One request: the first poll is stored from the response the check fetched.
    expect(feeds.hits('/daily.xml')).toBe(hits + 1);
    // The Daily's missile copy joins the Wire's story, whose entry shows the Wire's earlier copy.
    expect(await feedTitles('world')).toEqual(['Weather turns cold', 'Seoul hosts summit', 'North Korea fires missile']);
    expect(await feedTitles('korea')).toEqual(['Seoul hosts summit', 'North Korea fires missile']);
  });

  it('answers 409 with the existing source for a URL already present (also written differently)', async () => {
    await addDaily();
    for (const url of [feeds.url('/daily.xml'), `  ${feeds.url('/daily.xml')}#top  `, feeds.url('/wire.xml')]) {
      const answer = await call('POST', '/admin/api/sources', { url });
      expect(answer.status).toBe(409);
      expect(answer.body.error.code).toBe('source_exists');
      expect(answer.body.source).toMatchObject({ url: url.trim().replace('#top', ''), id: expect.any(Number) });
    }
  });

  it('answers 409 for a URL that redirects to an existing source', async () => {
    await addDaily();
    feeds.route('/old-daily', (_req, res) => res.writeHead(301, { location: feeds.url('/daily.xml') }).end());
    const answer = await call('POST', '/admin/api/sources', { url: feeds.url('/old-daily') });
    expect(answer.status).toBe(409);
    expect(answer.body.error.message).toBe(
      `${feeds.url('/daily.xml')} is already source #${answer.body.source.id} (${feeds.url('/old-daily')} redirects to it)`,
    );
  });

  it('offers the feeds an HTML page links to as choices, adding nothing', async () => {
    const answer = await call('POST', '/admin/api/sources', { url: feeds.url('/blog/') });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      kind: 'choices',
      pageUrl: feeds.url('/blog/'),
      choices: [{ url: feeds.url('/blog/feed.xml'), title: 'Blog', itemCount: 1, advertised: true }],
    });
    expect(answer.body.message).toContain('HTML page');
    expect(await sourceByUrl(feeds.url('/blog/'))).toBeUndefined();
  });

  it('finds a feed at a common path when the page links to none', async () => {
    const answer = await call('POST', '/admin/api/sources', { url: feeds.url('/plain-site/') });
    expect(answer.status).toBe(200);
    expect(answer.body.choices).toEqual([{ url: feeds.url('/feed'), title: 'Site feed', itemCount: 1, advertised: false }]);
  });

  it('answers 422 for a page with no feed, a document that is not a feed, and a missing page', async () => {
    feeds.route('/feed', { body: 'gone', status: 404, contentType: 'text/plain' });
    const page = await call('POST', '/admin/api/sources', { url: feeds.url('/plain-site/') });
    expect(page.status).toBe(422);
    expect(page.body.error.code).toBe('no_feed_found');
    expect(page.body.error.message).toContain('is an HTML page, not a feed');
    const json = await call('POST', '/admin/api/sources', { url: feeds.url('/data.json') });
    expect(json.status).toBe(422);
    expect(json.body.error.code).toBe('not_a_feed');
    const missing = await call('POST', '/admin/api/sources', { url: feeds.url('/nothing-here.xml') });
    expect(missing.status).toBe(422);
    expect(missing.body.error).toEqual({ code: 'http_not_found', message: expect.stringContaining('HTTP 404') });
  });
});

describe('admin API: SSRF guard', () => {
  const port = () => new URL(internal.url('/')).port;
  it.each([
    ['127.0.0.1', () => `http://127.0.0.1:${port()}/feed.xml`, 'is a loopback address'],
    ['[::1]', () => `http://[::1]:${port()}/feed.xml`, 'is a loopback address'],
    ['an IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${port()}/feed.xml`, 'is a loopback address'],
    ['127.0.0.1 written as a number', () => `http://2130706433:${port()}/feed.xml`, 'is a loopback address'],
    ['10.x', () => 'http://10.0.0.1/feed.xml', 'is a private address'],
    ['192.168.x', () => 'http://192.168.1.1/feed.xml', 'is a private address'],
    ['the metadata endpoint', () => 'http://169.254.169.254/latest/meta-data/', 'the cloud metadata endpoint'],
    ['CGNAT', () => 'http://100.64.0.1/feed.xml', 'carrier-grade NAT'],
    ['multicast', () => 'http://224.0.0.1/feed.xml', 'multicast'],
    ['IPv6 unique-local', () => 'http://[fd00::1]/feed.xml', 'unique-local'],
    ['a host name resolving to loopback', () => `http://localhost:${port()}/feed.xml`, 'localhost resolves to 127.0.0.1, a loopback address'],
  ])('refuses %s with 422 blocked_address, reaching nothing', async (_label, url, message) => {
    const before = internal.totalHits();
    const answer = await call('POST', '/admin/api/sources', { url: url() });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('blocked_address');
    expect(answer.body.error.message).toContain(message);
    expect(answer.body.error.message).toContain('polling.allowPrivateNetworks');
    expect(internal.totalHits()).toBe(before);
    expect(await sourceByUrl(new URL(url()).href)).toBeUndefined();
  });

  it('refuses a feed that redirects to a private address', async () => {
    feeds.route('/redirect.xml', (_req, res) => res.writeHead(302, { location: internal.url('/feed.xml') }).end());
    feeds.route('/to-metadata.xml', (_req, res) => res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
    for (const path of ['/redirect.xml', '/to-metadata.xml']) {
      const answer = await call('POST', '/admin/api/sources', { url: feeds.url(path) });
      expect(answer.status).toBe(422);
      expect(answer.body.error.code).toBe('blocked_address');
      expect(answer.body.error.message).toContain(`(redirected from ${feeds.url(path)})`);
    }
    expect(internal.totalHits()).toBe(0);
  });

  it('guards every later poll too: a source that starts redirecting inward fails with blocked_address', async () => {
    feeds.route('/turncoat.xml', {
      body: rssFeed('Turncoat', [{ guid: 't1', title: 'Fine for now', link: 'https://turncoat.example/1', pubDate: hoursAgo(1) }]),
    });
    const added = await call('POST', '/admin/api/sources', { url: feeds.url('/turncoat.xml') });
    expect(added.status).toBe(201);
    feeds.route('/turncoat.xml', (_req, res) => res.writeHead(307, { location: internal.url('/feed.xml') }).end());
    const refreshed = await call('POST', `/admin/api/sources/${added.body.source.id}/refresh`);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.result).toMatchObject({ outcome: 'failed', errorCode: 'blocked_address' });
    expect(refreshed.body.source).toMatchObject({ state: 'failing', errorCode: 'blocked_address', consecutiveFailures: 1 });
    expect(internal.totalHits()).toBe(0);
    await call('DELETE', `/admin/api/sources/${added.body.source.id}`);
  });
});

describe('admin API: managing sources', () => {
  beforeEach(onlyTheWire);

  it('gets one source with its recent items and poll history; 404 and 400 otherwise', async () => {
    const dailySource = await addDaily();
    const answer = await call('GET', `/admin/api/sources/${dailySource.id}`);
    expect(answer.status).toBe(200);
    expect(answer.body.source.id).toBe(dailySource.id);
    expect(answer.body.items.map((i: { title: string }) => i.title)).toEqual(['Weather turns cold', 'Seoul hosts summit', 'Missile launch, Daily copy']);
    expect(answer.body.events).toEqual([expect.objectContaining({ outcome: 'stored', status: 200, newItems: 3, errorCode: null })]);
    expect((await call('GET', '/admin/api/sources/999999')).body.error.code).toBe('unknown_source');
    expect((await call('GET', '/admin/api/sources/999999')).status).toBe(404);
    expect((await call('GET', '/admin/api/sources/abc')).status).toBe(400);
    expect((await call('GET', '/admin/api/sources/0')).status).toBe(400);
  });

  it('records failures in the history with their code and message', async () => {
    const added = await call('POST', '/admin/api/sources', { url: feeds.url('/flaky.xml') }).then(async (first) => {
      expect(first.status).toBe(422); // not there yet
      feeds.route('/flaky.xml', { body: rssFeed('Flaky', [{ guid: 'f1', title: 'Up', link: 'https://flaky.example/1', pubDate: hoursAgo(1) }]) });
      return call('POST', '/admin/api/sources', { url: feeds.url('/flaky.xml') });
    });
    const id = added.body.source.id;
    feeds.route('/flaky.xml', { body: 'down', status: 503, contentType: 'text/plain' });
    await call('POST', `/admin/api/sources/${id}/refresh`);
    const detail = await call('GET', `/admin/api/sources/${id}`);
    expect(detail.body.events.map((e: { outcome: string; errorCode: string | null; status: number }) => [e.outcome, e.errorCode, e.status])).toEqual([
      ['failed', 'http_server_error', 503],
      ['stored', null, 200],
    ]);
    expect(detail.body.source).toMatchObject({ state: 'failing', errorCode: 'http_server_error', errorMessage: expect.stringContaining('HTTP 503') });
    // Failing sources come first in the list.
    expect((await call('GET', '/admin/api/sources')).body.sources[0].id).toBe(id);
    await call('DELETE', `/admin/api/sources/${id}`);
  });

  it('PATCHes title, topics (re-classifying the items into the feeds), interval and enabled', async () => {
    const dailySource = await addDaily(['world']);
    expect(await feedTitles('korea')).not.toContain('Weather turns cold');
    const answer = await call('PATCH', `/admin/api/sources/${dailySource.id}`, { title: 'Daily News', topics: ['world', 'korea'], pollIntervalSeconds: 3600 });
    expect(answer.status).toBe(200);
    expect(answer.body.source).toMatchObject({ title: 'Daily News', topics: ['world', 'korea'], pollIntervalSeconds: 3600 });
    expect(answer.body.note).toBeUndefined();
    expect(await feedTitles('korea')).toContain('Weather turns cold');

    const paused = await call('PATCH', `/admin/api/sources/${dailySource.id}`, { enabled: false });
    expect(paused.body.source).toMatchObject({ enabled: false, state: 'paused', disabledReason: 'paused by an admin', nextPollAt: null });
    const refresh = await call('POST', `/admin/api/sources/${dailySource.id}/refresh`);
    expect(refresh.status).toBe(409);
    expect(refresh.body.error.code).toBe('source_disabled');
    const resumed = await call('PATCH', `/admin/api/sources/${dailySource.id}`, { enabled: true, topics: ['world'], pollIntervalSeconds: null });
    expect(resumed.body.source).toMatchObject({ enabled: true, state: 'ok', disabledReason: null, pollIntervalSeconds: null, topics: ['world'] });
    expect(await feedTitles('korea')).not.toContain('Weather turns cold');
  });

  it('says what happens to a config source changed by an admin', async () => {
    const wireSource = (await sourceByUrl(feeds.url('/wire.xml')))!;
    const answer = await call('PATCH', `/admin/api/sources/${wireSource.id}`, { topics: ['world'] });
    expect(answer.body.note).toContain('feeds.config.json');
    await call('PATCH', `/admin/api/sources/${wireSource.id}`, { topics: [] });
  });

  it.each([
    ['an empty body', {}, 400, 'invalid_request'],
    ['an unknown field', { colour: 'red' }, 400, 'invalid_request'],
    ['enabled as a string', { enabled: 'no' }, 400, 'invalid_request'],
    ['too short an interval', { pollIntervalSeconds: 5 }, 400, 'invalid_interval'],
    ['an unknown topic', { topics: ['sports'] }, 422, 'unknown_topic'],
  ])('refuses a PATCH with %s', async (_label, body, status, code) => {
    const dailySource = await addDaily();
    const answer = await call('PATCH', `/admin/api/sources/${dailySource.id}`, body);
    expect([answer.status, answer.body.error.code]).toEqual([status, code]);
    expect((await call('PATCH', '/admin/api/sources/999999', { enabled: false })).status).toBe(404);
  });

  it('refreshes a source now and returns the result', async () => {
    const dailySource = await addDaily();
    feeds.route('/daily.xml', { body: dailyWithLateNews() });
    const answer = await call('POST', `/admin/api/sources/${dailySource.id}/refresh`);
    expect(answer.status).toBe(200);
    expect(answer.body.result).toMatchObject({ sourceId: dailySource.id, outcome: 'stored', status: 200, newItems: 1 });
    expect(answer.body.source.itemsTotal).toBe(4);
    expect(await feedTitles('korea')).toContain('Late news from Seoul');
    expect((await call('POST', '/admin/api/sources/999999/refresh')).status).toBe(404);
  });

  it('DELETEs a source: its items leave the topic feeds, a shared story keeps its other copy', async () => {
    await addDaily(['world']);
    const added = await call('POST', '/admin/api/sources', { url: feeds.url('/blog/feed.xml'), topics: ['korea'] });
    expect(await feedTitles('korea')).toContain('First post');
    const answer = await call('DELETE', `/admin/api/sources/${added.body.source.id}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ source: { id: added.body.source.id }, deletedItems: 1 });
    expect(await feedTitles('korea')).not.toContain('First post');
    expect((await call('GET', `/admin/api/sources/${added.body.source.id}`)).status).toBe(404);
    expect((await call('DELETE', `/admin/api/sources/${added.body.source.id}`)).status).toBe(404);

    // The Wire's missile story has the Daily's copy: deleting the Wire keeps the story, now the Daily's.
    const wireSource = (await sourceByUrl(feeds.url('/wire.xml')))!;
    await call('PATCH', `/admin/api/sources/${(await sourceByUrl(feeds.url('/daily.xml')))!.id}`, { topics: ['korea'] });
    expect(await feedTitles('korea')).toContain('North Korea fires missile');
    const deleted = await call('DELETE', `/admin/api/sources/${wireSource.id}`);
    expect(deleted.body.note).toContain('comes back');
    const titles = await feedTitles('korea');
    expect(titles).not.toContain('North Korea fires missile');
    expect(titles).toContain('Missile launch, Daily copy');
  });
});

describe('admin API: OPML', () => {
  beforeEach(onlyTheWire);

  it('imports nested folders and category attributes as topics, reporting added, existing and invalid', async () => {
    await addDaily();
    // Local (404) URLs: a poll of the imported sources must not look up outside names.
    const [nk, deep, globe] = [feeds.url('/nk.xml'), feeds.url('/deep.xml'), feeds.url('/globe.xml')];
    const opml = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds &amp; more</title></head><body>
  <outline text="Korea">
    <outline type="rss" text="NK News" xmlUrl="${nk}" htmlUrl="https://nknews.example/"/>
    <outline text="Nested"><outline type="rss" text="Deep" xmlUrl="${deep}"/></outline>
  </outline>
  <outline type="rss" text="Globe" xmlUrl="${globe}" category="/News/World News,Tech"/>
  <outline type="rss" text="Daily again" xmlUrl="${feeds.url('/daily.xml')}"/>
  <outline type="rss" text="Bad" xmlUrl="ftp://bad.example/feed"/>
  <outline type="rss" text="No URL"/>
</body></opml>`;
    const answer = await call('POST', '/admin/api/opml', opml, TOKEN, { 'content-type': 'text/x-opml' });
    expect(answer.status).toBe(200);
    expect(answer.body.added).toEqual([
      expect.objectContaining({ url: nk, title: 'NK News', topics: ['korea'] }),
      expect.objectContaining({ url: deep, title: 'Deep', topics: ['korea'] }),
      expect.objectContaining({ url: globe, title: 'Globe', topics: ['world'] }),
    ]);
    expect(answer.body.existing).toEqual([{ id: expect.any(Number), url: feeds.url('/daily.xml') }]);
    expect(answer.body.invalid).toEqual([
      { url: null, title: 'No URL', reason: 'the outline "No URL" is of type rss but has no xmlUrl' },
      { url: 'ftp://bad.example/feed', title: 'Bad', reason: 'only http and https URLs can be polled, not ftp:' },
    ]);
    expect(answer.body.unmatchedCategories).toEqual(['Nested', 'News', 'Tech']);
    // Also as JSON.
    const again = await call('POST', '/admin/api/opml', { opml });
    expect(again.body.added).toEqual([]);
    expect(again.body.existing).toHaveLength(4);
  });

  it('answers 422 for a document that is not OPML and 400 for no document', async () => {
    const rss = await call('POST', '/admin/api/opml', rssFeed('X', []), TOKEN, { 'content-type': 'application/xml' });
    expect(rss.status).toBe(422);
    expect(rss.body.error).toEqual({ code: 'invalid_opml', message: 'not an OPML document: the root element is <rss>, not <opml>' });
    expect((await call('POST', '/admin/api/opml', 'hello', TOKEN, { 'content-type': 'text/plain' })).status).toBe(422);
    expect((await call('POST', '/admin/api/opml', '', TOKEN, { 'content-type': 'text/x-opml' })).status).toBe(400);
    expect((await call('POST', '/admin/api/opml', {})).status).toBe(400);
  });

  it('exports every source, and the export imports back to the same sources and topics', async () => {
    await addDaily(['world']);
    expect((await call('POST', '/admin/api/sources', { url: feeds.url('/blog/feed.xml'), topics: ['korea', 'world'] })).status).toBe(201);
    const exported = await call('GET', '/admin/api/opml');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('text/x-opml');
    expect(exported.headers.get('content-disposition')).toContain('attachment');
    const before = (await call('GET', '/admin/api/sources')).body.sources as Array<{ id: number; url: string; topics: string[] }>;
    expect(before).toHaveLength(3);
    for (const source of before) expect(exported.body).toContain(`xmlUrl="${source.url}"`);

    for (const source of before) await call('DELETE', `/admin/api/sources/${source.id}`);
    expect((await call('GET', '/admin/api/sources')).body.sources).toEqual([]);
    const imported = await call('POST', '/admin/api/opml', exported.body, TOKEN, { 'content-type': 'text/x-opml' });
    expect(imported.body.invalid).toEqual([]);
    const after = (await call('GET', '/admin/api/sources')).body.sources as Array<{ url: string; topics: string[] }>;
    const shape = (list: Array<{ url: string; topics: string[] }>) => list.map((s) => [s.url, [...s.topics].sort()]).sort();
    expect(shape(after)).toEqual(shape(before));
  });
});

describe('admin API: topic preview', () => {
  // The Daily alone, with four recent items and no source topic, so phrases alone decide.
  let dailySource: { id: number };
  beforeEach(async () => {
    await noSources();
    feeds.route('/daily.xml', { body: dailyWithLateNews() });
    dailySource = await addDaily([]);
  });

  it('shows which recent items candidate phrases would add or remove, and which phrase decided', async () => {
    const answer = await call('POST', '/admin/api/topics/korea/preview', { include: ['seoul', 'weather'], exclude: ['summit'], days: 7 });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ topic: 'korea', include: ['seoul', 'weather'], exclude: ['summit'], days: 7, scanned: 4 });
    expect(answer.body.counts).toEqual({ enter: 1, leave: 1, stay: 1 });
    expect(answer.body.enter).toEqual([
      expect.objectContaining({ title: 'Weather turns cold', matchedBy: 'weather', excludedBy: null, source: { id: dailySource.id, title: 'The Daily' } }),
    ]);
    expect(answer.body.leave).toEqual([expect.objectContaining({ title: 'Seoul hosts summit', matchedBy: null, excludedBy: 'summit' })]);
    expect(answer.body.stay).toEqual([expect.objectContaining({ title: 'Late news from Seoul', matchedBy: 'seoul' })]);
    // Read-only: the stored classification did not change.
    expect(await feedTitles('korea')).toEqual(['Late news from Seoul', 'Seoul hosts summit']);
  });

  it('defaults to the topic rules, 404s an unknown topic and 400s a bad body', async () => {
    const current = await call('POST', '/admin/api/topics/korea/preview', {});
    expect(current.body).toMatchObject({ include: ['north korea', 'seoul'], exclude: [], days: 7, counts: { enter: 0, leave: 0, stay: 2 } });
    expect((await call('POST', '/admin/api/topics/sports/preview', {})).status).toBe(404);
    for (const [body, code] of [
      [{ include: 'seoul' }, 'invalid_request'],
      [{ include: [''] }, 'invalid_phrases'],
      [{ days: 0 }, 'invalid_days'],
      [{ days: 1000 }, 'invalid_days'],
      [{ extra: 1 }, 'invalid_request'],
    ] as const) {
      const answer = await call('POST', '/admin/api/topics/korea/preview', body);
      expect([answer.status, answer.body.error.code]).toEqual([400, code]);
    }
  });
});

describe('admin API: robustness', () => {
  it('never answers 500 to odd requests', async () => {
    const odd: Array<[string, string, unknown, Record<string, string>?]> = [
      ['POST', '/admin/api/sources', '{not json', { 'content-type': 'application/json' }],
      ['POST', '/admin/api/sources', 'url=x', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['PATCH', `/admin/api/sources/${'9'.repeat(30)}`, { enabled: true }],
      ['GET', '/admin/api/sources/%00', undefined],
      ['POST', '/admin/api/sources', { url: `https://${'a'.repeat(5000)}.example/` }],
      ['POST', '/admin/api/topics/%E0%A4%A/preview', {}],
      ['GET', '/admin/api/nothing', undefined],
    ];
    for (const [method, path, body, headers] of odd) {
      const answer = await call(method, path, body, TOKEN, headers ?? {});
      expect(answer.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, `${method} ${path}`).toBeLessThan(500);
      expect(answer.body.error?.code, `${method} ${path}`).toEqual(expect.any(String));
    }
  });
});

describe('admin API: hostile input', () => {
  // Raw JSON, so a lone surrogate reaches the server as one (JSON.stringify would escape it validly, too).
  const json = (fields: string) => [`{${fields}}`, TOKEN, { 'content-type': 'application/json' }] as const;
  const sourcesNow = async () =>
    JSON.stringify(
      (await call('GET', '/admin/api/sources')).body.sources.map(
        (s: { id: number; url: string; title: string | null; topics: string[]; pollIntervalSeconds: number | null }) => [
          s.id,
          s.url,
          s.title,
          s.topics,
          s.pollIntervalSeconds,
        ],
      ),
    );

  it.each([
    ['a NUL in the URL', (feed: string) => `"url": ${JSON.stringify(`${feed}\u0000`)}`, 'invalid_url'],
    ['a NUL in the host', () => '"url": "https://exa\\u0000mple.org/feed"', 'invalid_url'],
    ['a lone surrogate in the URL', (feed: string) => `"url": "${feed}\\ud800"`, 'invalid_url'],
    ['a control character in the URL', (feed: string) => `"url": "${feed}\\u0007"`, 'invalid_url'],
    ['a 5000-character URL', (feed: string) => `"url": "${feed}?${'q'.repeat(5000)}"`, 'invalid_url'],
    ['a NUL in the title', (feed: string) => `"url": "${feed}", "title": "Daily\\u0000"`, 'invalid_title'],
    ['a lone surrogate in the title', (feed: string) => `"url": "${feed}", "title": "Daily \\udc00"`, 'invalid_title'],
    ['an escape character in the title', (feed: string) => `"url": "${feed}", "title": "\\u001b[31mRed"`, 'invalid_title'],
    ['a 10,000-character title', (feed: string) => `"url": "${feed}", "title": "${'t'.repeat(10_000)}"`, 'invalid_title'],
    ['a NUL in a topic', (feed: string) => `"url": "${feed}", "topics": ["korea\\u0000"]`, 'invalid_topics'],
    ['51 topics', (feed: string) => `"url": "${feed}", "topics": [${Array(51).fill('"korea"').join(',')}]`, 'invalid_topics'],
  ])('refuses to add a source with %s: 400, nothing fetched or stored', async (_label, fields, code) => {
    const feed = feeds.url('/hostile-add.xml');
    feeds.route('/hostile-add.xml', { body: rssFeed('Hostile add', []) });
    const before = await sourcesNow();
    const answer = await call('POST', '/admin/api/sources', ...json(fields(feed)));
    expect([answer.status, answer.body.error?.code]).toEqual([400, code]);
    expect(answer.body.error.message.length).toBeGreaterThan(10);
    expect(feeds.hits('/hostile-add.xml')).toBe(0);
    expect(await sourcesNow()).toBe(before);
  });

  it.each([
    ['a NUL in the title', '"title": "Daily\\u0000"', 'invalid_title'],
    ['a lone surrogate in the title', '"title": "\\ud83d"', 'invalid_title'],
    ['a 10,000-character title', `"title": "${'t'.repeat(10_000)}"`, 'invalid_title'],
    ['a NUL in a topic', '"topics": ["\\u0000"]', 'invalid_topics'],
    ['a 59-second interval', '"pollIntervalSeconds": 59', 'invalid_interval'],
    ['an interval over 30 days', `"pollIntervalSeconds": ${30 * 86_400 + 1}`, 'invalid_interval'],
    ['a fractional interval', '"pollIntervalSeconds": 90.5', 'invalid_interval'],
  ])('refuses a PATCH with %s: 400, nothing changed', async (_label, fields, code) => {
    const [first] = (await call('GET', '/admin/api/sources')).body.sources as Array<{ id: number }>;
    const before = await sourcesNow();
    const answer = await call('PATCH', `/admin/api/sources/${first!.id}`, ...json(fields));
    expect([answer.status, answer.body.error?.code]).toEqual([400, code]);
    expect(await sourcesNow()).toBe(before);
  });

  it.each([
    ['a NUL in a phrase', '"include": ["seoul\\u0000"]', 'invalid_phrases'],
    ['a lone surrogate in a phrase', '"exclude": ["\\udfff"]', 'invalid_phrases'],
    ['a 201-character phrase', `"include": ["${'p'.repeat(201)}"]`, 'invalid_phrases'],
    ['201 phrases', `"include": [${Array(201).fill('"p"').join(',')}]`, 'invalid_phrases'],
    ['a fractional number of days', '"days": 1.5', 'invalid_days'],
  ])('refuses a topic preview with %s', async (_label, fields, code) => {
    const answer = await call('POST', '/admin/api/topics/korea/preview', ...json(fields));
    expect([answer.status, answer.body.error?.code]).toEqual([400, code]);
  });

  it('imports the good outlines of an OPML list and reports the ones with an unusable title or URL', async () => {
    const [ok, nul, long, control, badUrl] = ['/opml-ok.xml', '/opml-nul.xml', '/opml-long.xml', '/opml-control.xml', '/opml-bad-url.xml'].map((path) =>
      feeds.url(path),
    );
    const opml = `<opml version="2.0"><body>
      <outline type="rss" text="Fine" xmlUrl="${ok}"/>
      <outline type="rss" text="Bad\u0000title" xmlUrl="${nul}"/>
      <outline type="rss" text="${'t'.repeat(10_000)}" xmlUrl="${long}"/>
      <outline type="rss" text="Bell&#7;" xmlUrl="${control}"/>
      <outline type="rss" text="Bad URL" xmlUrl="${badUrl}\u0000"/>
    </body></opml>`;
    const answer = await call('POST', '/admin/api/opml', opml, TOKEN, { 'content-type': 'text/x-opml' });
    expect(answer.status).toBe(200);
    expect(answer.body.added).toEqual([expect.objectContaining({ url: ok, title: 'Fine' })]);
    expect(answer.body.invalid).toEqual([
      { url: nul, title: 'Bad\u0000title', reason: expect.stringContaining('the title contains a control character (U+0000)') },
      { url: long, title: expect.any(String), reason: expect.stringContaining('the title is longer than 300 characters') },
      { url: control, title: 'Bell\u0007', reason: expect.stringContaining('the title contains a control character (U+0007)') },
      { url: `${badUrl}\u0000`, title: 'Bad URL', reason: expect.stringContaining('the URL contains a control character (U+0000)') },
    ]);
    const stored = (await call('GET', '/admin/api/sources')).body.sources.map((s: { url: string }) => s.url);
    expect(stored).toContain(ok);
    for (const url of [nul, long, control]) expect(stored).not.toContain(url);
    await call('DELETE', `/admin/api/sources/${answer.body.added[0].id}`);
  });
});
