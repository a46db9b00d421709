/**
 * The story commands of the `tidings` CLI (show, split, merge; items hide and unhide) through
 * main(), on one database, as an operator runs them beside a service. beforeAll stores the
 * three outlets of story-fixtures.ts, polled in order; each test curates its own stories.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { openDatabase } from '../../src/db/database.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import { findRenderedFeed } from '../../src/store/rendered-feeds.ts';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { createTestDataDir, testDatabaseUrl } from '../helpers/database.ts';
import { routeStoryFeeds, storySources } from '../helpers/story-fixtures.ts';

let fixtures: FixtureServer;
let env: NodeJS.ProcessEnv;
const postgres: Array<{ close(): Promise<void> }> = [];

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) }, env);
  return { code, out, err };
}

/** Reads the database between commands (the embedded one admits one process at a time: this one, now). */
async function withDb<T>(read: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL ?? null, dataDir: env.DATA_DIR! });
  try {
    return await read(database.db);
  } finally {
    await database.close();
  }
}

const items = () =>
  withDb(async (db) => {
    const rows = await db.selectFrom('items').select(['id', 'item_key', 'story_id']).execute();
    return Object.fromEntries(rows.map((r) => [r.item_key, { id: r.id, story: r.story_id }]));
  });

beforeAll(async () => {
  fixtures = await startFixtureServer();
  routeStoryFeeds(fixtures);
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-story-cli-'));
  const config = path.join(dir, 'feeds.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      topics: [{ slug: 'korea', title: 'Korea' }],
      sources: storySources(fixtures),
      polling: { allowPrivateNetworks: true, timeoutMs: 2000, hostSpacing: 0 },
    }),
  );
  env = { LOG_LEVEL: 'silent', FEEDS_CONFIG: config, DATA_DIR: path.join(dir, 'data') };
  if (testDatabaseUrl) {
    const { createTestDatabase } = await import('../helpers/database.ts');
    const database = await createTestDatabase();
    postgres.push(database);
    env.DATABASE_URL = database.url!;
  } else await createTestDataDir(env.DATA_DIR!);
  expect((await run('config', 'sync')).code).toBe(0);
  // In order: the Wire founds the missile story, the Daily and the Herald join it.
  for (const { url } of storySources(fixtures)) expect((await run('poll', '--once', '--source', url)).code).toBe(0);
});
afterAll(async () => {
  await fixtures.close();
  await Promise.all(postgres.map((database) => database.close()));
});

describe('tidings stories / items', () => {
  it('shows a story: its items, which represents it, and why each joined', async () => {
    const { w1, d1, h1 } = await items();
    const shown = await run('stories', 'show', String(w1!.story));
    expect(shown).toMatchObject({ code: 0, err: '' });
    const lines = shown.out.split('\n');
    expect(lines[0]).toBe(`Story #${w1!.story}: North Korea fires missile`);
    expect(shown.out).toMatch(/^ITEM\s+SOURCE\s+PUBLISHED\s+STATE\s+WHY\s+TITLE$/m);
    expect(lines.find((l) => l.startsWith(`${w1!.id} `))).toMatch(/Wire Service\s+5h ago\s+shown, represents\s+founded the story\s+North Korea fires missile$/);
    expect(lines.find((l) => l.startsWith(`${d1!.id} `))).toContain(`same article URL as item #${w1!.id}`);
    expect(lines.find((l) => l.startsWith(`${h1!.id} `))).toContain(`near-duplicate text of item #${w1!.id}`);
    const json = JSON.parse((await run('stories', 'show', String(w1!.story), '--json')).out);
    expect(json.items.map((i: { reason: { kind: string } | null }) => i.reason?.kind ?? null)).toEqual([null, 'near-duplicate-text', 'canonical-url']);
  });

  it('splits an item out, merges it back, and logs both as "cli"', async () => {
    const { w1, d1 } = await items();
    const split = await run('stories', 'split', String(w1!.story), '--item', String(d1!.id));
    expect(split.code).toBe(0);
    const into = Number(/^Split item #\d+ out of story #\d+ into story #(\d+); it stays out of story #\d+\. Re-rendered: korea\.$/m.exec(split.out)?.[1]);
    expect((await items()).d1!.story).toBe(into);
    expect(split.out).toContain(`Story #${into}: Missile launch, Daily copy`);
    const merged = JSON.parse((await run('stories', 'merge', String(into), String(w1!.story), '--json')).out);
    expect(merged).toMatchObject({ action: 'merge', story: { id: w1!.story, splits: [] } });
    expect((await items()).d1!.story).toBe(w1!.story);
    const log = await withDb((db) => db.selectFrom('curation_log').select(['actor', 'action']).orderBy('id').execute());
    expect(log.slice(-2)).toEqual([
      { actor: 'cli', action: 'split' },
      { actor: 'cli', action: 'merge' },
    ]);
  });

  it('hides an item from the rendered documents and unhides it', async () => {
    const { d3 } = await items();
    const hidden = await run('items', 'hide', String(d3!.id));
    expect(hidden.out).toMatch(new RegExp(`^Hid item #${d3!.id} \\(story #${d3!.story}\\)\\. Re-rendered: korea\\.$`, 'm'));
    expect(hidden.out).toMatch(/hidden by cli/);
    const rendered = () => withDb(async (db) => (await findRenderedFeed(db, 'korea', 'feed', 'rss'))!.body);
    expect(await rendered()).not.toContain('Weather turns cold');
    const unhidden = JSON.parse((await run('items', 'unhide', String(d3!.id), '--json')).out);
    expect(unhidden).toMatchObject({ action: 'unhide', story: { items: [{ id: d3!.id, hidden: false }] } });
    expect(await rendered()).toContain('Weather turns cold in Seoul');
  });

  it('refuses unknown ids (exit 1) and malformed commands (exit 2)', async () => {
    expect(await run('stories', 'show', '999999')).toMatchObject({ code: 1, err: 'tidings: no story #999999\n' });
    expect(await run('items', 'unhide', '999999')).toMatchObject({ code: 1, err: 'tidings: no item #999999\n' });
    expect((await run('stories', 'split', '5')).err).toMatch(/^tidings: stories split needs --item ITEM/);
    for (const argv of [
      ['stories', 'show', 'abc'],
      ['stories', 'merge', '5'],
      ['items', 'hide'],
      ['items', 'hide', '1', '2'],
    ])
      expect((await run(...argv)).code).toBe(2);
  });
});
