/**
 * fullContent through the service as `serve` builds it (worker threads, the SSRF guard with
 * private networks NOT allowed): the config file and the admin API set it, article pages
 * go through the same guard as feeds, and a source's health shows extraction failures.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

const TOKEN = 'test-admin-token-0123456789abcdef';
const ALLOWED_ADDRESS = '127.0.0.2';
const ARTICLES = path.resolve(import.meta.dirname, '../fixtures/articles');
const page = (name: string) => ({ body: readFileSync(path.join(ARTICLES, name)), contentType: 'text/html; charset=utf-8' });

let feeds: FixtureServer; // reachable: 127.0.0.2
let internal: FixtureServer; // "internal": 127.0.0.1, never to be reached
let service: Service;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${TOKEN}` } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const response = await fetch(`${service.url}${path}`, init);
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  feeds = await startFixtureServer(ALLOWED_ADDRESS);
  internal = await startFixtureServer('127.0.0.1');
  feeds.route('/harbour', page('harbour-budget.html'));
  feeds.route('/rail', page('rail-strike.html'));
  internal.route('/secret', page('rail-strike.html'));
  feeds.route('/teasers.xml', {
    body: rssFeed('Teasers', [
      { guid: 't1', title: 'Harbour budget passes', link: feeds.url('/harbour'), description: 'The budget passed.' },
      { guid: 't2', title: 'Inside job', link: internal.url('/secret'), description: 'A teaser linking to an internal address.' },
    ]),
  });
  feeds.route('/rail.xml', { body: rssFeed('Rail', [{ guid: 'r1', title: 'Rail strike called off', link: feeds.url('/rail'), description: 'Trains run.' }]) });
  const config = testConfig({
    sources: [{ url: feeds.url('/teasers.xml'), fullContent: true }],
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

const teasersSource = async () =>
  ((await call('GET', '/admin/api/sources')).body.sources as Array<{ id: number; url: string }>).find((s) => s.url === feeds.url('/teasers.xml'))!;

describe('fullContent from the config file', () => {
  it('fetches article pages through the SSRF guard: an internal address is never reached', async () => {
    expect(feeds.hits('/harbour')).toBe(1);
    expect(internal.totalHits()).toBe(0);
    const items = await service.context.db.selectFrom('items').select(['item_key', 'full_content_html', 'full_content_error']).orderBy('item_key').execute();
    expect(items[0]!.full_content_html).toContain('Delegations from Seoul and Busan');
    expect(items[1]!.full_content_html).toBeNull();
    expect(items[1]!.full_content_error).toMatch(/^blocked_address: /);
  });

  it("shows the setting and the failures in the source's health", async () => {
    const { status, body } = await call('GET', `/admin/api/sources/${(await teasersSource()).id}`);
    expect(status).toBe(200);
    expect(body.source.fullContent).toBe(true);
    expect(body.source.fullContentFailures).toEqual({ last7Days: 1, lastError: expect.stringMatching(/^blocked_address: /) });
  });
});

describe('fullContent in the admin API', () => {
  it('adds a source with fullContent: its first poll stores the articles', async () => {
    const added = await call('POST', '/admin/api/sources', { url: feeds.url('/rail.xml'), fullContent: true });
    expect(added.status).toBe(201);
    expect(added.body.source).toMatchObject({ fullContent: true, fullContentFailures: { last7Days: 0, lastError: null } });
    expect(feeds.hits('/rail')).toBe(1);
    const item = await service.context.db.selectFrom('items').select('full_content_html').where('item_key', '=', 'r1').executeTakeFirstOrThrow();
    expect(item.full_content_html).toContain('guarantees a minimum of twelve hours between shifts');
  });

  it('turns fullContent off and on, noting that the file wins for a config source', async () => {
    const { id } = await teasersSource();
    const off = await call('PATCH', `/admin/api/sources/${id}`, { fullContent: false });
    expect(off.status).toBe(200);
    expect(off.body.source.fullContent).toBe(false);
    expect(off.body.note).toMatch(/feeds\.config\.json/);
    const on = await call('PATCH', `/admin/api/sources/${id}`, { fullContent: true });
    expect(on.body.source.fullContent).toBe(true);
  });

  it('refuses a fullContent that is not a boolean', async () => {
    const { id } = await teasersSource();
    expect((await call('PATCH', `/admin/api/sources/${id}`, { fullContent: 'yes' })).status).toBe(400);
  });
});
