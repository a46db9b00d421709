/**
 * The public pages over a real socket, on a service built by serve(): error answers
 * negotiated between an HTML page (browsers) and the JSON shape (scripts), the digest index
 * with the formats of each digest, the OPML listing with the digest feeds and a real
 * dateCreated, and the demo banner's links. In Chromium: public-pages-browser.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoLinks } from '../../scripts/demo-banner.ts';
import { PUBLIC_CSP } from '../../src/http/html-page.ts';
import { parseOpml } from '../../src/ingest/opml-parse.ts';
import type { Service } from '../../src/main.ts';
import { ADMIN_TOKEN, KOREA_DIGESTS, koreaDigestTitle, SERVICE_NOW, startPublicService } from '../helpers/public-service.ts';

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

let service: Service;

beforeAll(async () => {
  service = await startPublicService();
});
afterAll(async () => {
  await service?.stop();
});

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${service.url}${path}`, { headers, redirect: 'manual' });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function expectPageHeaders(headers: Headers): void {
  expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(headers.get('content-security-policy')).toBe(PUBLIC_CSP);
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('same-origin');
}

describe('error answers', () => {
  it.each([
    ['an unknown topic', '/topics/nowhere/rss.xml', 404, 'no topic &quot;nowhere&quot;'],
    ['an unknown format', '/topics/korea/feed.xml', 404, "the topic's feeds are rss.xml, atom.xml, feed.json"],
    ['a bad limit', '/topics/korea/atom.xml?limit=many', 400, 'limit must be a whole number from 1 to 500'],
    ['an impossible digest date', '/topics/korea/digest/2026-02-30', 400, 'no such date: 2026-02-30'],
    ['an unknown path', '/no/such/page', 404, 'no such page: GET /no/such/page'],
  ])('give a browser asking for %s an HTML page with the status and a link home', async (_label, path, status, message) => {
    const answer = await get(path, BROWSER);
    expect(answer.status).toBe(status);
    expectPageHeaders(answer.headers);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.text).toContain(`<p class="status">Error ${status}</p>`);
    expect(answer.text).toContain(message);
    expect(answer.text).toContain('<a href="/">Tidings home</a>');
  });

  it.each([
    ['no Accept header', {}],
    ['Accept: application/json', { accept: 'application/json' }],
    ['Accept: */*', { accept: '*/*' }],
    ['JSON and HTML as equals', { accept: 'application/json, text/html' }],
  ])('give a client sending %s the JSON error shape', async (_label, headers) => {
    for (const [path, code] of [
      ['/topics/nowhere/rss.xml', 'unknown_topic'],
      ['/topics/korea/feed.xml', 'unknown_format'],
      ['/topics/korea/rss.xml?limit=0', 'invalid_limit'],
      ['/no/such/page', 'not_found'],
    ] as const) {
      const answer = await get(path, headers);
      expect(answer.headers.get('content-type'), path).toBe('application/json; charset=utf-8');
      expect(JSON.parse(answer.text).error, path).toEqual({ code, message: expect.any(String) });
    }
  });

  it('escapes everything the request said, and cuts a long path', async () => {
    const answer = await get(`/topics/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E/rss.xml`, BROWSER);
    expect(answer.status).toBe(404);
    expect(answer.text).toContain('no topic &quot;&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
    expect(answer.text).not.toMatch(/<script/i);
    const long = await get(`/${'<b>'.repeat(400)}`, BROWSER);
    expect(long.status).toBe(404);
    expect(long.text).not.toContain('<b>');
    expect(long.text.length).toBeLessThan(3000);
  });

  it('keeps the admin API in JSON whatever the Accept header says', async () => {
    const unauthorized = await get('/admin/api/sources', BROWSER);
    expect(unauthorized.status).toBe(401);
    expect(JSON.parse(unauthorized.text).error.code).toBe('unauthorized');
    const missing = await get('/admin/api/no-such-thing', { ...BROWSER, authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(missing.text).error.code).toBe('not_found');
  });
});

describe('digest index', () => {
  const listed = KOREA_DIGESTS.filter((d) => d.stories > 0)
    .map((d) => d.date)
    .sort()
    .reverse();

  it('lists the published digests newest first, each with its formats, and the digest feeds', async () => {
    const page = await get('/topics/korea/digest/', BROWSER);
    expect(page.status).toBe(200);
    expectPageHeaders(page.headers);
    const titles = [...page.text.matchAll(/<h2><a href="[^"]+">([^<]+)<\/a><\/h2>/g)].map((m) => m[1]);
    expect(titles).toEqual(listed.map(koreaDigestTitle));
    for (const date of listed) {
      expect(page.text).toContain(`href="${service.url}/topics/korea/digest/${date}" type="text/html"`);
      expect(page.text).toContain(`href="${service.url}/topics/korea/digest/${date}.txt" type="text/plain"`);
    }
    expect(page.text).toContain('3 top stories published Monday 23 November, 07:00 – Tuesday 24 November, 07:00 UTC');
    for (const file of ['rss.xml', 'atom.xml', 'feed.json']) expect(page.text).toContain(`href="${service.url}/topics/korea/digest/${file}"`);
  });

  it('answers the same page without the trailing slash', async () => {
    const [withSlash, without] = await Promise.all([get('/topics/korea/digest/'), get('/topics/korea/digest')]);
    expect(without.status).toBe(200);
    expect(without.text).toBe(withSlash.text);
  });

  it('serves each listed format of a digest', async () => {
    const text = await get(`/topics/korea/digest/${listed[0]}.txt`);
    expect([text.status, text.headers.get('content-type')]).toEqual([200, 'text/plain; charset=utf-8']);
    expect(text.text).toBe(`${koreaDigestTitle(listed[0]!)}\n\n1. Seoul story\n`);
    const html = await get(`/topics/korea/digest/${listed[0]}`);
    expect(html.status).toBe(200);
    expectPageHeaders(html.headers);
  });

  it('is a 404 page for an unknown topic and for a topic with no digest yet', async () => {
    const unknown = await get('/topics/nowhere/digest/', BROWSER);
    expect(unknown.status).toBe(404);
    expectPageHeaders(unknown.headers);
    const quiet = await get('/topics/quiet/digest/', BROWSER);
    expect(quiet.status).toBe(404);
    expect(quiet.text).toContain('no Quiet &lt;Times&gt; digest has been published yet');
    expect(JSON.parse((await get('/topics/quiet/digest')).text).error.code).toBe('no_digest_yet');
  });
});

describe('OPML listing', () => {
  function xpath(xml: string, expression: string): string {
    return execFileSync('xmllint', ['--xpath', expression, '-'], { input: xml }).toString().trim();
  }

  it('lists every topic feed and digest feed, dated when the listing was first published', async () => {
    const answer = await get('/topics.opml');
    expect(answer.status).toBe(200);
    const created = xpath(answer.text, 'string(/opml/head/dateCreated)');
    // RFC 822 §5 date-time (with RFC 1123's four-digit year), as OPML 2.0 asks.
    expect(created).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(new Date(created)).toEqual(SERVICE_NOW);
    expect(answer.headers.get('last-modified')).toBe(created);
    const feeds = parseOpml(answer.text).feeds.map((f) => [f.title, f.url.replace(service.url, ''), f.categories.join()]);
    expect(feeds).toEqual([
      ['Korea', '/topics/korea/rss.xml', 'korea'],
      ['Korea — daily digest', '/topics/korea/digest/rss.xml', 'korea'],
      ['World', '/topics/world/rss.xml', 'world'],
      ['World — weekly digest', '/topics/world/digest/rss.xml', 'world'],
      ['Quiet <Times>', '/topics/quiet/rss.xml', 'quiet'],
      ['Quiet <Times> — daily digest', '/topics/quiet/digest/rss.xml', 'quiet'],
    ]);
  });

  it('answers 304 to a reader revalidating it', async () => {
    const first = await get('/topics.opml');
    const again = await get('/topics.opml', { 'if-none-match': first.headers.get('etag')! });
    expect(again.status).toBe(304);
    const since = await get('/topics.opml', { 'if-modified-since': first.headers.get('last-modified')! });
    expect(since.status).toBe(304);
  });
});

describe('index page and demo banner', () => {
  it('point to the digest pages, the digest feeds and the admin page', async () => {
    const page = await get('/');
    expectPageHeaders(page.headers);
    expect(page.text).toContain(`href="${service.url}/topics/korea/digest/"`);
    expect(page.text).toContain(`href="${service.url}/topics/korea/digest/rss.xml"`);
    expect(page.text).toContain('Digest, one entry weekly on Monday at 07:00 UTC');
    expect(page.text).toContain(`href="${service.url}/admin"`);
  });

  it("lists only addresses the service answers with 200 in the demo's banner", async () => {
    const links = demoLinks({ serviceUrl: service.url, feedServerUrl: 'http://feeds.invalid', feedCount: 5 }).filter(([, url]) => url.startsWith(service.url));
    expect(links.map(([label]) => label)).toEqual(expect.arrayContaining(['Korea digest, RSS 2.0', 'Korea past digests', 'Admin page']));
    for (const [label, url] of links) expect([label, (await fetch(url, { headers: BROWSER })).status]).toEqual([label, 200]);
  });
});
