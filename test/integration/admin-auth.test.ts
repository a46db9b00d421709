/**
 * Admin authentication over a real socket, on servers built with buildServer and an admin
 * API stand-in (no database: these tests are about who gets in, not what they do):
 * the wrong-token limiter, client addresses behind a trusted proxy, and /metrics behind
 * METRICS_TOKEN. Sessions against the database are in admin-page.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AdminApi } from '../../src/admin/api.ts';
import { createFeedCache } from '../../src/http/feed-cache.ts';
import { servedTopics } from '../../src/http/served-topics.ts';
import { buildServer, type ServerDeps } from '../../src/http/server.ts';
import { silentLog } from '../helpers/context.ts';

const TOKEN = 'auth-test-admin-token-0123456789abcdef';

/** What these tests reach of the admin API: listing, and sessions kept in memory (`open`: shared by servers). */
function stubApi(open = new Set<string>()): AdminApi {
  let next = 0;
  return {
    topics: [],
    listSources: async () => [],
    sessions: {
      open: async () => {
        const id = `session-${++next}-${'x'.repeat(30)}`;
        open.add(id);
        return id;
      },
      isOpen: async (id: string) => open.has(id),
      close: async (id: string) => void open.delete(id),
    },
  } as unknown as AdminApi;
}

const apps: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start(extra: Partial<ServerDeps> = {}): Promise<string> {
  const app = buildServer({
    log: silentLog,
    topics: servedTopics([]),
    publicUrl: 'http://x.test',
    feedCache: createFeedCache({ generations: async () => [], documents: async () => [] }),
    renderDocument: async () => ({ body: '', etag: '""' }),
    findDigest: async () => undefined,
    admin: { token: TOKEN, api: stubApi(), secureCookies: false },
    ...extra,
  });
  apps.push(app);
  return app.listen({ host: '127.0.0.1', port: 0 });
}

describe('sessions', () => {
  it('end when ADMIN_TOKEN changes, on every instance, though their ids are still open', async () => {
    const shared = new Set<string>(); // the database both instances share
    const before = await start({ admin: { token: TOKEN, api: stubApi(shared), secureCookies: false } });
    const after = await start({ admin: { token: `${TOKEN}-rotated`, api: stubApi(shared), secureCookies: false } });
    const cookie = (await login(before, TOKEN)).headers.get('set-cookie')!.split(';')[0]!;
    const page = async (url: string) => (await fetch(`${url}/admin`, { headers: { cookie } })).text();
    expect(await page(before)).toContain('<h1>Sources</h1>');
    expect(shared.size).toBe(1);
    expect(await page(after)).toContain('Log in');
  });
});

const api = (url: string, token: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/admin/api/sources`, { headers: { authorization: `Bearer ${token}`, ...headers } });
const login = (url: string, token: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/admin/login`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual', headers });

describe('wrong-token limiter', () => {
  it('lets the right token through after ten wrong ones from the address, and refuses further wrong ones with 429', async () => {
    const url = await start();
    for (let i = 0; i < 10; i++) expect((await api(url, `guess-${i}`)).status).toBe(401);
    expect((await api(url, TOKEN)).status).toBe(200);
    const blocked = await api(url, 'guess-10');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe('too_many_attempts');
  });

  it('lets the admin page log in with the right token while the address is locked out', async () => {
    const url = await start();
    for (let i = 0; i < 10; i++) expect((await login(url, `guess-${i}`)).status).toBe(401);
    expect((await login(url, 'guess-10')).status).toBe(429);
    const answer = await login(url, TOKEN);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('set-cookie')).toMatch(/^tidings_admin=/);
  });

  it('behind a trusted proxy, counts wrong tokens per client address, not per proxy', async () => {
    const url = await start({ trustProxy: ['127.0.0.1'] });
    const from = (client: string) => ({ 'x-forwarded-for': client });
    for (let i = 0; i < 10; i++) expect((await api(url, `guess-${i}`, from('203.0.113.7'))).status).toBe(401);
    expect((await api(url, 'guess-10', from('203.0.113.7'))).status).toBe(429);
    expect((await api(url, 'guess-10', from('198.51.100.9'))).status).toBe(401);
    expect((await login(url, 'guess-10', from('198.51.100.9'))).status).toBe(401);
  });

  it('without a trusted proxy, ignores X-Forwarded-For (a client cannot pick its own address)', async () => {
    const url = await start();
    for (let i = 0; i < 10; i++) expect((await api(url, `guess-${i}`, { 'x-forwarded-for': `203.0.113.${i}` })).status).toBe(401);
    expect((await api(url, 'guess-10', { 'x-forwarded-for': '198.51.100.9' })).status).toBe(429);
  });
});

describe('/metrics behind METRICS_TOKEN', () => {
  const metrics = async () => ({ contentType: 'text/plain; version=0.0.4', body: 'tidings_fetch_requests_total{host="a.example"} 1\n' });

  it('is public while METRICS_TOKEN is unset', async () => {
    const url = await start({ metrics });
    const answer = await fetch(`${url}/metrics`);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('a.example');
  });

  it('needs "Authorization: Bearer <METRICS_TOKEN>" when it is set, and never reveals the hosts without it', async () => {
    const url = await start({ metrics, metricsToken: 'scrape-secret-0123456789' });
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${TOKEN}` },
      { authorization: 'Basic c2NyYXBlLXNlY3JldC0wMTIzNDU2Nzg5' },
    ]) {
      const answer = await fetch(`${url}/metrics`, { headers });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="tidings-metrics"/);
      const body = (await answer.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unauthorized');
      expect(body.error.message).toContain('METRICS_TOKEN');
    }
    const answer = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer scrape-secret-0123456789' } });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('a.example');
  });
});
