import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

let fixtures: FixtureServer;
let service: Service;

const wire = () =>
  rssFeed('Wire', [
    {
      guid: 'w1',
      title: 'North Korea fires missile',
      link: 'https://wire.example/nk-missile?utm_source=rss',
      pubDate: 'Mon, 23 Nov 2026 08:00:00 GMT',
      description: '<p>Launch <script>alert(1)</script><img src="/photo.jpg" onerror="steal()"> seen from <a href="javascript:alert(1)">Seoul</a>.</p>',
    },
    { guid: 'w2', title: 'Markets close higher', link: 'https://wire.example/markets', pubDate: 'Mon, 23 Nov 2026 09:00:00 GMT', description: 'Stocks rose.' },
  ]);
const daily = () =>
  rssFeed('Daily', [
    {
      guid: 'd1',
      title: 'N. Korea missile launch (Daily copy)',
      link: 'https://www.wire.example/nk-missile/',
      pubDate: 'Mon, 23 Nov 2026 08:30:00 GMT',
      description: 'Republished wire copy.',
    },
    { guid: 'd2', title: 'Seoul hosts summit', link: 'https://daily.example/summit', pubDate: 'Mon, 23 Nov 2026 10:00:00 GMT', description: 'Leaders met.' },
  ]);

beforeAll(async () => {
  fixtures = await startFixtureServer();
  fixtures.route('/wire.xml', { body: wire() });
  fixtures.route('/daily.xml', { body: daily() });
  const config = testConfig({
    sources: [
      { url: fixtures.url('/wire.xml'), title: 'Wire Service' },
      { url: fixtures.url('/daily.xml'), title: 'The Daily' },
    ],
  });
  const env = { ...readEnv({}), port: 0, publicUrl: 'http://feeds.test' };
  service = await serve(env, config, silentLog, { handleSignals: false, database: await createTestDatabase() });
  await service.pollNow();
});
afterAll(async () => {
  await service?.stop();
  await fixtures?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${service.url}${path}`, { headers });
const json = async (response: Response): Promise<any> => response.json();

describe('topic feeds over HTTP', () => {
  it('serves JSON Feed 1.1 with one entry per story, newest first', async () => {
    const response = await get('/topics/korea/feed.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    const feed = await json(response);
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.feed_url).toBe('http://feeds.test/topics/korea/feed.json');
    // The wire story and the Daily's copy share a canonical URL: one entry. The Daily links
    // the wire's own article, so it is not another outlet to list (the same page twice).
    expect(feed.items.map((i: { title: string }) => i.title)).toEqual(['Seoul hosts summit', 'North Korea fires missile']);
    const missile = feed.items[1];
    expect(missile.url).toBe('https://wire.example/nk-missile?utm_source=rss');
    expect(missile._tidings.source.title).toBe('Wire Service');
    expect(missile._tidings.also_reported_by).toEqual([]);
    expect(missile.id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(missile.date_published).toBe('2026-11-23T08:00:00.000Z');
  });

  it('sanitizes item HTML and makes its URLs absolute', async () => {
    const feed = await json(await get('/topics/korea/feed.json'));
    const html: string = feed.items[1].content_html;
    expect(html).not.toMatch(/<script|onerror|javascript:/i);
    // Relative URLs in content resolve against the feed's address (as feedparser does).
    expect(html).toContain(`<img src="${fixtures.url('/photo.jpg')}"`);
  });

  it('serves RSS 2.0 and Atom with source elements and pointers to the other formats', async () => {
    const rss = await get('/topics/korea/rss.xml');
    expect(rss.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const rssText = await rss.text();
    expect(rssText).toContain(`<source url="${fixtures.url('/wire.xml')}">Wire Service</source>`);
    expect(rssText).toContain('<atom:link rel="alternate" type="application/atom+xml" href="http://feeds.test/topics/korea/atom.xml"');
    expect(rssText.match(/<item>/g)).toHaveLength(2);
    const atom = await get('/topics/korea/atom.xml');
    expect(atom.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const atomText = await atom.text();
    expect(atomText).toContain('<source><id>');
    expect(atomText).toContain('<link rel="alternate" type="application/feed+json" href="http://feeds.test/topics/korea/feed.json"');
    expect(atomText.match(/<entry>/g)).toHaveLength(2);
  });

  it('keeps entry ids stable across regenerations', async () => {
    const ids = async () => (await json(await get('/topics/korea/feed.json'))).items.map((i: { id: string }) => i.id);
    const before = await ids();
    fixtures.route('/daily.xml', { body: daily().replace('Leaders met.', 'Leaders met and agreed.') });
    await service.context.db
      .updateTable('sources')
      .set({ next_poll_at: new Date(0) })
      .execute();
    await service.pollNow();
    expect(await ids()).toEqual(before);
  });

  it('answers 304 to If-None-Match and If-Modified-Since, and keeps the ETag when nothing changed', async () => {
    const first = await get('/topics/korea/rss.xml');
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toContain('max-age');
    const notModified = await get('/topics/korea/rss.xml', { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    // What a cache refreshes its copy with (RFC 9110 §15.4.5), and no body metadata.
    expect(Object.fromEntries(['etag', 'cache-control', 'vary', 'content-type', 'last-modified'].map((h) => [h, notModified.headers.get(h)]))).toEqual({
      etag,
      'cache-control': first.headers.get('cache-control'),
      vary: 'Accept-Encoding',
      'content-type': null,
      'last-modified': null,
    });
    expect((await get('/topics/korea/rss.xml', { 'if-modified-since': lastModified })).status).toBe(304);
    await service.context.db
      .updateTable('sources')
      .set({ next_poll_at: new Date(0) })
      .execute();
    await service.pollNow();
    expect((await get('/topics/korea/rss.xml')).headers.get('etag')).toBe(etag);
  });

  it('serves compressed bodies to clients that accept them', async () => {
    const response = await get('/topics/korea/atom.xml', { 'accept-encoding': 'br' });
    expect(response.headers.get('content-encoding')).toBe('br');
    expect(await response.text()).toContain('<feed');
  });

  it('answers the same from the fast path (no query string) as from the routes', async () => {
    // /topics/korea/rss.xml is answered before fastify when cached; ?limit=50 (the default
    // limit, so the same cached document) goes through fastify's route.
    const names = ['content-type', 'etag', 'last-modified', 'cache-control', 'vary', 'content-encoding', 'content-length'];
    const etag = (await get('/topics/korea/atom.xml')).headers.get('etag')!;
    const variants: Array<Record<string, string>> = [{}, { 'accept-encoding': 'gzip' }, { 'accept-encoding': 'br, gzip' }, { 'if-none-match': etag }];
    for (const headers of variants) {
      const fast = await get('/topics/korea/atom.xml', headers);
      const routed = await get('/topics/korea/atom.xml?limit=50', headers);
      expect(fast.status, JSON.stringify(headers)).toBe(routed.status);
      for (const name of names) expect(fast.headers.get(name), `${name} ${JSON.stringify(headers)}`).toBe(routed.headers.get(name));
      expect(await fast.text()).toBe(await routed.text());
    }
  });

  it('answers HEAD with headers and no body', async () => {
    const response = await fetch(`${service.url}/topics/korea/rss.xml`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBeTruthy();
    expect(await response.text()).toBe('');
  });

  it('honours limit and rejects a bad one with 400', async () => {
    expect((await json(await get('/topics/korea/feed.json?limit=1'))).items).toHaveLength(1);
    for (const bad of ['0', '501', 'abc', '1.5', '-1']) {
      const response = await get(`/topics/korea/feed.json?limit=${bad}`);
      expect(response.status).toBe(400);
      expect((await json(response)).error.code).toBe('invalid_limit');
    }
  });

  it('answers 404 for an unknown topic', async () => {
    const response = await get('/topics/nowhere/rss.xml');
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ error: { code: 'unknown_topic', message: expect.stringContaining('nowhere') } });
  });

  it('lists topics with discovery links on the index page and in OPML', async () => {
    const page = await (await get('/')).text();
    expect(page).toContain('<link rel="alternate" type="application/rss+xml" title="Korea (RSS)" href="http://feeds.test/topics/korea/rss.xml">');
    const opml = await get('/topics.opml');
    expect(opml.headers.get('content-type')).toContain('opml');
    expect(await opml.text()).toContain('xmlUrl="http://feeds.test/topics/korea/rss.xml"');
  });

  it('never answers 500 for odd requests', async () => {
    for (const path of ['/topics/%E0%A4%A/rss.xml', '/topics/korea/feed.json?limit=1&limit=2', `/topics/${'x'.repeat(300)}/rss.xml`, '/%00']) {
      expect((await get(path)).status).toBeLessThan(500);
    }
  });

  it('reports readiness and Prometheus metrics', async () => {
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await json(ready)).toEqual({ status: 'ready', checks: { database: { ok: true }, migrations: { ok: true } } });
    const metrics = await get('/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toMatch(/^tidings_polls_total\{outcome="stored",code=""\} [1-9]/m);
    expect(text).toMatch(/^tidings_items_total\{change="new"\} 4$/m);
    expect(text).toMatch(/^tidings_stories_merged_total\{via="canonical-url"\} 1$/m);
    expect(text).toContain('tidings_fetch_duration_seconds_bucket');
    expect(text).toMatch(/^tidings_poll_lag_seconds \d/m);
    expect(text).toMatch(/^tidings_sources_failing 0$/m);
    expect(text).toMatch(/^tidings_host_requests_total\{host="127\.0\.0\.1",outcome="ok"\} \d/m);
  });
});
