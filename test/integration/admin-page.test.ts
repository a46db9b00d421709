/**
 * The admin page's forms over a real socket, as a browser without JavaScript posts them:
 * session and CSRF checks, post/redirect/get, every form action, and escaping of
 * hostile feed content. (admin-browser.test.ts drives the main flow in Chromium.)
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { clearContent, createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

const TOKEN = 'page-test-admin-token-0123456789abc';
let fixtures: FixtureServer;
let service: Service;
/** The session cookie `request` sends; each test starts logged out. */
let cookie = '';

beforeAll(async () => {
  fixtures = await startFixtureServer();
  const recent = new Date(Date.now() - 3_600_000).toUTCString();
  // Double-encoded: the item title is literally "<img src=x onerror=alert(1)> Seoul" as text.
  fixtures.route('/hostile.xml', {
    body: rssFeed('Hostile', [{ guid: 'h1', title: '&amp;lt;img src=x onerror=alert(1)&amp;gt; Seoul', link: 'javascript:alert(2)', pubDate: recent }]),
  });
  fixtures.route('/plain.xml', { body: rssFeed('Plain', [{ guid: 'p1', title: 'Plain news', link: 'https://plain.example/1', pubDate: recent }]) });
  const config = testConfig({
    topics: [
      { slug: 'korea', title: 'Korea', include: ['seoul'] },
      { slug: 'world', title: 'World' },
    ],
  });
  service = await serve({ ...readEnv({}), port: 0, adminToken: TOKEN }, config, silentLog, { handleSignals: false, database: await createTestDatabase() });
});
afterAll(async () => {
  await service?.stop();
  await fixtures?.close();
});
beforeEach(async () => {
  cookie = '';
  await clearContent(service.context.database);
});

interface PageAnswer {
  status: number;
  headers: Headers;
  text: string;
}

async function request(
  method: 'GET' | 'POST',
  path: string,
  form?: Record<string, string | string[]>,
  headers: Record<string, string> = {},
): Promise<PageAnswer> {
  const pairs = Object.entries(form ?? {}).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x]));
  const body = form === undefined ? undefined : new URLSearchParams(pairs);
  const response = await fetch(`${service.url}${path}`, { method, body, redirect: 'manual', headers: { ...(cookie ? { cookie } : {}), ...headers } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
const csrf = async () => csrfOf((await request('GET', '/admin')).text);

/** Logs in: later requests carry the session cookie. */
async function logIn(): Promise<void> {
  const answer = await request('POST', '/admin/login', { token: TOKEN });
  expect(answer.status).toBe(303);
  cookie = answer.headers.get('set-cookie')!.split(';')[0]!;
}

/** A form post's answer: 303 to `page` naming a stored result; returns that page as this session gets it. */
async function resultPage(answer: PageAnswer, page: string): Promise<PageAnswer & { location: string }> {
  const location = answer.headers.get('location') ?? '';
  expect([answer.status, location]).toEqual([303, expect.stringMatching(new RegExp(`^${page}\\?result=[\\w-]{16}$`))]);
  return { ...(await request('GET', location)), location };
}

/** Adds a source with the form; returns its id. */
async function addWithForm(path: string, topics: string[] = []): Promise<string> {
  const added = await request('POST', '/admin/sources', { _csrf: await csrf(), url: fixtures.url(path), topics, action: 'add' });
  expect(added.status).toBe(303);
  return /^\/admin\/sources\/(\d+)\?/.exec(added.headers.get('location')!)![1]!;
}

describe('admin page forms', () => {
  it('shows the log-in form with strict headers, and refuses a wrong token', async () => {
    const login = await request('GET', '/admin');
    expect(login.status).toBe(200);
    expect(login.text).toContain('<label for="token">Admin token');
    expect(login.headers.get('content-security-policy')).toMatch(/default-src 'none'.*form-action 'self'; frame-ancestors 'none'/);
    expect(login.headers.get('x-frame-options')).toBe('DENY');
    expect(login.headers.get('cache-control')).toBe('no-store');
    const wrong = await request('POST', '/admin/login', { token: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Wrong admin token.');
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('keeps everything else behind the session', async () => {
    for (const [method, path] of [
      ['GET', '/admin/sources/1'],
      ['GET', '/admin/sources/1/delete'],
      ['GET', '/admin/opml'],
      ['POST', '/admin/sources/1/pause'],
      ['POST', '/admin/sources'],
      ['POST', '/admin/opml'],
    ] as const) {
      const answer = await request(method, path, method === 'POST' ? { _csrf: 'x' } : undefined);
      expect([method, path, answer.status, answer.headers.get('location')]).toEqual([method, path, 303, '/admin']);
    }
    for (const forged of ['v1.99999999999.forged.signature', `v2.${'a'.repeat(43)}.${'b'.repeat(43)}`, 'v2..', `v2.${'a'.repeat(5000)}.x`]) {
      cookie = `tidings_admin=${forged}`;
      expect((await request('GET', '/admin')).text).toContain('Log in');
    }
    cookie = '';
  });

  it('logs in with a session cookie that is HttpOnly, SameSite=Strict and scoped to /admin', async () => {
    const answer = await request('POST', '/admin/login', { token: TOKEN });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/admin');
    const setCookie = answer.headers.get('set-cookie')!;
    // A random session id (stored server-side, so logging out ends it) and its signature under a key derived from the token.
    expect(setCookie).toMatch(/^tidings_admin=v2\.[\w-]{43}\.[\w-]{43}; Path=\/admin; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(TOKEN);
    cookie = setCookie.split(';')[0]!;
    expect((await request('GET', '/admin')).text).toContain('<h1>Sources</h1>');
  });

  it('refuses forms without the right CSRF token or from another site', async () => {
    await logIn();
    const token = await csrf();
    for (const [form, headers] of [
      [{}, {}],
      [{ _csrf: 'forged' }, {}],
      [{ _csrf: token }, { origin: 'https://evil.example' }],
      [{ _csrf: token }, { 'sec-fetch-site': 'cross-site' }],
    ] as const) {
      const answer = await request('POST', '/admin/sources', { ...form, url: fixtures.url('/plain.xml'), action: 'add' }, headers);
      expect(answer.status).toBe(403);
      expect(answer.text).toContain('could not be verified');
    }
    expect((await request('GET', '/admin')).text).toContain('No sources yet');
  });

  it('previews, refuses a bad URL keeping the form, and adds with a redirect to the new source', async () => {
    await logIn();
    const token = await csrf();
    const preview = await resultPage(
      await request('POST', '/admin/sources', { _csrf: token, url: fixtures.url('/plain.xml'), topics: ['world'], action: 'preview' }),
      '/admin',
    );
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Preview of');
    expect(preview.text).toContain('Plain news');
    expect(preview.text).toContain('<input type="hidden" name="topics" value="world">');

    const bad = await resultPage(await request('POST', '/admin/sources', { _csrf: token, url: 'not a "url"', action: 'add' }), '/admin');
    expect(bad.text).toContain('Not added: not an absolute URL');
    expect(bad.text).toContain('value="not a &quot;url&quot;"');

    const added = await request('POST', '/admin/sources', { _csrf: token, url: fixtures.url('/plain.xml'), topics: ['world'], action: 'add' });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toMatch(/^\/admin\/sources\/\d+\?done=added$/);
    const page = await request('GET', added.headers.get('location')!);
    expect(page.text).toContain('Source added and polled');
    expect(page.text).toContain('Plain news');

    const again = await resultPage(await request('POST', '/admin/sources', { _csrf: token, url: fixtures.url('/plain.xml'), action: 'add' }), '/admin');
    expect(again.text).toMatch(/Not added: .* is already source #/);
  });

  it('escapes hostile feed content everywhere it is shown', async () => {
    await logIn();
    const token = await csrf();
    const added = await request('POST', '/admin/sources', {
      _csrf: token,
      url: fixtures.url('/hostile.xml'),
      title: '<script>alert("title")</script>',
      action: 'add',
    });
    const page = await request('GET', added.headers.get('location')!);
    const table = await request('GET', '/admin');
    for (const html of [page.text, table.text]) {
      expect(html).not.toMatch(/<script>alert|<img src=x|href="javascript:/i);
    }
    expect(table.text).toContain('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;');
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt; Seoul');
  });

  it('edits title, topics and poll interval, refreshes, pauses and resumes', async () => {
    await logIn();
    const id = await addWithForm('/plain.xml', ['world']);
    const token = await csrf();
    const saved = await request('POST', `/admin/sources/${id}/edit`, {
      _csrf: token,
      title: 'Plain Daily',
      topics: ['korea', 'world'],
      topics_present: '1',
      interval_minutes: '30',
    });
    expect([saved.status, saved.headers.get('location')]).toEqual([303, `/admin/sources/${id}?done=saved`]);
    const page = (await request('GET', `/admin/sources/${id}`)).text;
    expect(page).toContain('<h1>Plain Daily</h1>');
    expect(page).toMatch(/id="edit-topic-korea" name="topics" value="korea" checked/);
    expect(page).toContain('name="interval_minutes" type="number" min="1" max="43200" step="1" value="30"');

    const cleared = await request('POST', `/admin/sources/${id}/edit`, { _csrf: token, title: 'Plain Daily', topics_present: '1', interval_minutes: '' });
    expect(cleared.status).toBe(303);
    expect((await request('GET', `/admin/sources/${id}`)).text).toContain('none (items enter topics by phrase only)');
    const soon = await resultPage(await request('POST', `/admin/sources/${id}/edit`, { _csrf: token, interval_minutes: 'soon' }), `/admin/sources/${id}`);
    expect(soon.text).toContain('Not saved: the poll interval is a whole number of minutes');

    const refreshed = await request('POST', `/admin/sources/${id}/refresh`, { _csrf: token });
    expect(refreshed.headers.get('location')).toBe(`/admin/sources/${id}?done=refreshed`);
    expect((await request('GET', `/admin/sources/${id}`)).text).toMatch(/<td data-label="Outcome">(not_modified|stored)<\/td>/);

    const paused = await request('POST', `/admin/sources/${id}/pause`, { _csrf: token, back: `/admin/sources/${id}` });
    expect(paused.headers.get('location')).toBe(`/admin/sources/${id}?done=paused`);
    const pausedPage = (await request('GET', `/admin/sources/${id}`)).text;
    expect(pausedPage).toContain('paused by an admin');
    expect(pausedPage).not.toContain('Poll now');
    // A page loaded before the pause still posts: back to the page, with the reason, not a 409 page.
    const stale = await request('POST', `/admin/sources/${id}/refresh`, { _csrf: token });
    expect([stale.status, stale.headers.get('location')]).toEqual([303, `/admin/sources/${id}?done=not-polled`]);
    expect((await request('GET', stale.headers.get('location')!)).text).toContain('Not polled: the source is paused');
    // The return address is only ever the table or this source's page.
    const resumed = await request('POST', `/admin/sources/${id}/resume`, { _csrf: token, back: 'https://evil.example/' });
    expect(resumed.headers.get('location')).toBe('/admin?done=resumed');
  });

  it('refuses what the API refuses, with the same rules: a 10,000-character title, a NUL, an interval over 30 days', async () => {
    await logIn();
    const id = await addWithForm('/plain.xml', ['world']);
    const token = await csrf();
    const before = (await request('GET', `/admin/sources/${id}`)).text;
    const title = /<h1>([^<]*)<\/h1>/.exec(before)![1];
    const cases: Array<[Record<string, string | string[]>, string]> = [
      [{ title: 't'.repeat(10_000) }, 'the title is longer than 300 characters'],
      [{ title: 'Plain\u0000Daily' }, 'the title contains a control character (U+0000)'],
      [{ title: 'Plain', interval_minutes: '99999' }, 'the poll interval must be a whole number of minutes from 1 to 43200'],
      [{ title: 'Plain', topics: ['korea\u0000'], topics_present: '1' }, 'a topic contains a control character (U+0000)'],
    ];
    for (const [form, message] of cases) {
      const answer = await resultPage(await request('POST', `/admin/sources/${id}/edit`, { _csrf: token, ...form }), `/admin/sources/${id}`);
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
      expect(answer.text).toContain(`Not saved: ${message}`);
    }
    expect(/<h1>([^<]*)<\/h1>/.exec((await request('GET', `/admin/sources/${id}`)).text)![1]).toBe(title);

    const nul = await resultPage(
      await request('POST', '/admin/sources', { _csrf: token, url: `${fixtures.url('/plain.xml')}\u0000`, action: 'add' }),
      '/admin',
    );
    expect(nul.text).toContain('Not added: the URL contains a control character (U+0000)');
    const long = await resultPage(
      await request('POST', '/admin/sources', { _csrf: token, url: fixtures.url('/other.xml'), title: 't'.repeat(10_000), action: 'add' }),
      '/admin',
    );
    expect(long.text).toContain('Not added: the title is longer than 300 characters');
    expect((await request('GET', '/admin')).text).not.toContain(fixtures.url('/other.xml'));
  });

  it('imports pasted OPML, exports it, and deletes after confirmation', async () => {
    await logIn();
    const token = await csrf();
    const imported = await resultPage(
      await request('POST', '/admin/opml', {
        _csrf: token,
        opml: `<opml version="2.0"><body><outline text="World"><outline type="rss" text="Extra" xmlUrl="${fixtures.url('/extra.xml')}"/></outline></body></opml>`,
      }),
      '/admin',
    );
    expect(imported.text).toContain('1 added, 0 already present, 0 invalid.');
    expect((await resultPage(await request('POST', '/admin/opml', { _csrf: token, opml: '<rss/>' }), '/admin')).text).toContain(
      'Not imported: not an OPML document',
    );
    expect((await resultPage(await request('POST', '/admin/opml', { _csrf: token, opml: ' ' }), '/admin')).text).toContain(
      'Not imported: choose an OPML file or paste one',
    );

    const exported = await request('GET', '/admin/opml');
    expect(exported.headers.get('content-disposition')).toContain('tidings-sources.opml');
    expect(exported.text).toContain(`xmlUrl="${fixtures.url('/extra.xml')}" category="world"`);

    const id = /\/admin\/sources\/(\d+)"[^>]*>Extra</.exec((await request('GET', '/admin')).text)![1];
    const confirm = await request('GET', `/admin/sources/${id}/delete`);
    expect(confirm.text).toContain('<h1>Delete Extra?</h1>');
    const deleted = await request('POST', `/admin/sources/${id}/delete`, { _csrf: token });
    expect(deleted.headers.get('location')).toBe('/admin?done=deleted');
    expect((await request('GET', `/admin/sources/${id}`)).status).toBe(404);
  });

  it('answers every refused post with a redirect to a page saying why', async () => {
    await logIn();
    const token = await csrf();
    // A source deleted in another tab: its page is gone, so the table says it.
    for (const action of ['pause', 'resume', 'refresh', 'edit', 'delete']) {
      const answer = await resultPage(await request('POST', `/admin/sources/999/${action}`, { _csrf: token, back: '/admin/sources/999' }), '/admin');
      expect(answer.text).toMatch(/Not (paused|resumed|polled|saved|deleted): no source #999/);
    }
    const bad = await resultPage(await request('POST', '/admin/sources/abc/pause', { _csrf: token }), '/admin');
    expect(bad.text).toContain('Not paused: a source id is a positive whole number, not &quot;abc&quot;');
  });

  it('shows an import result to its session only, escaped, and a reload imports nothing again', async () => {
    await logIn();
    const existing = await addWithForm('/plain.xml');
    const hostile = '<script>alert("t")</script>';
    const opml = `<opml version="2.0"><body>
      <outline type="rss" text="${hostile.replaceAll('<', '&lt;').replaceAll('"', '&quot;')}" xmlUrl="https://new.example/feed?q=&lt;img src=x onerror=alert(1)&gt;"/>
      <outline type="rss" text="Plain" xmlUrl="${fixtures.url('/plain.xml')}"/>
      <outline type="rss" text="&lt;b&gt;Bad&lt;/b&gt;" xmlUrl="javascript:&lt;img src=x onerror=alert(2)&gt;"/>
    </body></opml>`;
    const imported = await resultPage(await request('POST', '/admin/opml', { _csrf: await csrf(), opml }), '/admin');
    const result = /<section[^>]*aria-labelledby="opml-heading">[\s\S]*?<\/section>/.exec(imported.text)![0];
    expect(result).toContain('1 added, 1 already present, 1 invalid.');
    expect(result).toContain('&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;');
    expect(result).toContain('<span class="url">https://new.example/feed?q=%3Cimg%20src=x%20onerror=alert(1)%3E</span>');
    expect(result).toContain(`<a href="/admin/sources/${existing}">Plain</a>`);
    expect(result).toContain('<span class="url">javascript:&lt;img src=x onerror=alert(2)&gt;</span>: only http and https URLs can be polled');
    expect(imported.text).not.toMatch(/<script>alert|<img src=x|<b>Bad/i);
    // Above the table: seen without scrolling.
    expect(imported.text.indexOf('Import result')).toBeLessThan(imported.text.indexOf('<table class="sources'));

    const count = async () => (await service.context.db.selectFrom('sources').select('id').execute()).length;
    const before = await count();
    expect((await request('GET', imported.location)).text).toContain('1 added, 1 already present, 1 invalid.');
    expect(await count()).toBe(before);

    // Another session (another browser, or someone given the URL) gets nothing from it.
    const mine = cookie;
    await logIn();
    const other = await request('GET', imported.location);
    expect(other.status).toBe(200);
    expect(other.text).not.toContain('Import result');
    expect(other.text).toContain('The result of that action is no longer available');
    cookie = mine;
    for (const made_up of ['AAAAAAAAAAAAAAAA', '../../etc', 'x'.repeat(5000)]) {
      expect((await request('GET', `/admin?result=${encodeURIComponent(made_up)}`)).text).toContain('no longer available');
    }
    expect((await request('GET', '/admin?done=constructor')).status).toBe(200);
  });

  it('logs out: the cookie is cleared, and the old session no longer works even if replayed', async () => {
    await logIn();
    const other = (await request('POST', '/admin/login', { token: TOKEN }, { cookie: '' })).headers.get('set-cookie')!.split(';')[0]!;
    const old = cookie;
    const token = await csrf();
    const answer = await request('POST', '/admin/logout', { _csrf: token });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('set-cookie')).toMatch(/^tidings_admin=; Path=\/admin; Max-Age=0;/);
    // A copy of the cookie kept by the browser, a proxy log or an attacker.
    expect(cookie).toBe(old);
    const page = await request('GET', '/admin');
    expect(page.text).toContain('Log in');
    expect(page.text).not.toContain('<h1>Sources</h1>');
    const form = await request('POST', '/admin/sources/1/pause', { _csrf: token });
    expect([form.status, form.headers.get('location')]).toEqual([303, '/admin']);
    expect((await request('GET', '/admin/opml')).status).toBe(303);
    // Other sessions go on.
    cookie = other;
    expect((await request('GET', '/admin')).text).toContain('<h1>Sources</h1>');
  });
});
