/**
 * Topics across restarts of the service on one database: an admin's topic stays, a config
 * topic an admin changed comes back as the file says, and a config topic the file no longer
 * names goes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import type { FeedsConfig } from '../../src/config/feeds-config.ts';
import { serve, type Service } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

const TOKEN = 'topics-restart-token-0123456789abcdef';
const withWorld = testConfig({
  topics: [
    { slug: 'korea', title: 'Korea', include: ['seoul'] },
    { slug: 'world', title: 'World', include: ['europe'] },
  ],
});
const withoutWorld = testConfig({ topics: [{ slug: 'korea', title: 'Korea', include: ['seoul'] }] });

let database: TestDatabase;
let service: Service | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await service?.stop();
  await database?.close();
});

/** Starts the service on the test's database (kept open across restarts). */
async function start(config: FeedsConfig): Promise<Service> {
  await service?.stop();
  const env = { ...readEnv({}), port: 0, publicUrl: 'http://feeds.test', adminToken: TOKEN };
  service = await serve(env, config, silentLog, { handleSignals: false, database: { ...database, close: async () => {} }, pollAtStart: false });
  return service;
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service!.url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const topics = async () => (await call('GET', '/topics')).body.topics.map((t: { slug: string; title: string; origin: string }) => [t.slug, t.title, t.origin]);

describe('topics over restarts', () => {
  it('keeps admin topics, restores config topics from the file, and drops config topics the file no longer names', async () => {
    await start(withWorld);
    expect((await call('POST', '/topics', { slug: 'missiles', title: 'Missiles', include: ['title:missile'] })).status).toBe(201);
    expect((await call('PATCH', '/topics/korea', { title: 'Changed by an admin' })).status).toBe(200);
    expect(await topics()).toEqual([
      ['korea', 'Changed by an admin', 'config'],
      ['world', 'World', 'config'],
      ['missiles', 'Missiles', 'admin'],
    ]);

    await start(withWorld);
    expect(await topics()).toEqual([
      ['korea', 'Korea', 'config'],
      ['world', 'World', 'config'],
      ['missiles', 'Missiles', 'admin'],
    ]);
    expect((await fetch(`${service!.url}/topics/missiles/feed.json`)).status).toBe(200);

    await start(withoutWorld);
    expect(await topics()).toEqual([
      ['korea', 'Korea', 'config'],
      ['missiles', 'Missiles', 'admin'],
    ]);
    expect((await fetch(`${service!.url}/topics/world/feed.json`)).status).toBe(404);
  });

  it('brings back a config topic an admin deleted, at the next start', async () => {
    await start(withoutWorld);
    const deleted = await call('DELETE', '/topics/korea');
    expect(deleted.body.note).toMatch(/listed in feeds\.config\.json: it comes back at the next start/);
    expect((await fetch(`${service!.url}/topics/korea/feed.json`)).status).toBe(404);
    await start(withoutWorld);
    expect((await fetch(`${service!.url}/topics/korea/feed.json`)).status).toBe(200);
  });
});
