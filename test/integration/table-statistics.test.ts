/**
 * The poller keeps planner statistics of the growing tables current (table-statistics.ts):
 * the embedded database never analyzes them by itself, and a new Postgres database not
 * before autovacuum's first pass.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { upsertItems } from '../../src/store/items.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { storyGrouper } from '../../src/app-context.ts';
import { storyGrouping } from '../../src/dedupe/index.ts';
import { analyzeGrownTables } from '../../src/store/table-statistics.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { makeItem } from '../helpers/items.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

let database: TestDatabase;
let sourceId: number;
const now = new Date('2026-11-24T00:00:00Z');

// A database per test: what was analyzed (pg_class.reltuples) cannot be taken back.
beforeEach(async () => {
  database = await createTestDatabase();
  await syncConfigSources(database.db, [{ url: 'https://feeds.example.org/rss', topics: [] }], now);
  sourceId = (await database.db.selectFrom('sources').select('id').executeTakeFirstOrThrow()).id;
});
afterEach(async () => {
  await database.close();
});

/** A body of ~1.5 kB that stays in the row: under the 2 kB at which Postgres compresses or moves it out. */
const body = (n: number) => `<p>${Array.from({ length: 300 }, (_, i) => ((n * 7919 + i * 104729) % 1_000_003).toString(36)).join(' ')}</p>`;

/** Stores `n` more items. */
async function addItems(from: number, n: number): Promise<void> {
  const items = Array.from({ length: n }, (_, i) => makeItem({ key: `item-${from + i}`, contentHtml: body(from + i) }));
  await upsertItems(database.db, sourceId, items, now);
}

const analyzedRows = async (table: string) =>
  Number((await sql<{ n: number }>`select reltuples::int as n from pg_class where oid = ${`public.${table}`}::regclass`.execute(database.db)).rows[0]!.n);

describe('analyzeGrownTables', () => {
  it('leaves a table too small to matter alone', async () => {
    await addItems(0, 5);
    expect(await analyzeGrownTables(database.db, ['items'])).toEqual([]);
  });

  it('analyzes a table never analyzed, then again only once it has doubled', async () => {
    await addItems(0, 100);
    expect(await analyzeGrownTables(database.db, ['items'])).toEqual(['items']);
    expect(await analyzedRows('items')).toBe(100);
    await addItems(100, 20);
    expect(await analyzeGrownTables(database.db, ['items'])).toEqual([]);
    await addItems(120, 100);
    expect(await analyzeGrownTables(database.db, ['items'])).toEqual(['items']);
    expect(await analyzedRows('items')).toBe(220);
  });

  it('runs after the story grouper placed new items', async () => {
    await addItems(0, 520);
    const grouper = storyGrouper(database.db, storyGrouping(testConfig().dedupe), () => now, silentLog);
    await grouper.group();
    expect(await analyzedRows('items')).toBe(520);
    // 520 stories are a few pages: not worth analyzing yet.
    expect(await analyzedRows('stories')).toBe(-1);
  });
});
