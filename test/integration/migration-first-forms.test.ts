/**
 * A database migrated while 2026-11-24T03-00 had its first form (edited after it landed:
 * no `items_ungrouped_idx`, a bucket-key index with GIN's default fastupdate) migrates to
 * the latest version like any other, and ends with the same index settings.
 */
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let database: TestDatabase;
const migrator = () => new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
const bucketKeyOptions = async () =>
  (await sql<{ options: string[] | null }>`select reloptions as options from pg_class where relname = 'items_bucket_keys_idx'`.execute(database.db)).rows[0]
    ?.options ?? null;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

describe('2026-11-24T03-00 in its first form', () => {
  it('migrates to the latest version and gets the current bucket-key index settings', async () => {
    expect((await migrator().migrateTo('2026-11-24T05-00-host-politeness')).error).toBeUndefined();
    // Undo what the edit added: the first form had neither.
    await sql`drop index items_ungrouped_idx`.execute(database.db);
    await sql`alter index items_bucket_keys_idx reset (fastupdate)`.execute(database.db);
    expect(await bucketKeyOptions()).toBeNull();

    expect((await migrator().migrateToLatest()).error).toBeUndefined();
    expect(await bucketKeyOptions()).toEqual(['fastupdate=off']);
  });
});
