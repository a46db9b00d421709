/**
 * A fresh, migrated database per test file: a new Postgres database when
 * TEST_DATABASE_URL is set, else an embedded PGlite loaded from the run's template.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import { openPglite, openPostgres, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

export interface TestDatabase extends Database {
  /** Connection string of this database (Postgres only), for child processes. */
  url: string | null;
}

export const testDatabaseUrl = process.env.TEST_DATABASE_URL?.trim() || null;

export async function createTestDatabase(): Promise<TestDatabase> {
  if (testDatabaseUrl) return createPostgresDatabase(testDatabaseUrl);
  const template = readFileSync(inject('pgliteTemplate'));
  const database = await openPglite(new PGlite({ loadDataDir: new Blob([template]) }));
  return { ...database, url: null };
}

/**
 * A migrated embedded data directory at `dir`, loaded from the run's template (no initdb), for
 * tests that run the service or the CLI on a DATA_DIR as operators do.
 */
export async function createTestDataDir(dir: string): Promise<void> {
  const template = readFileSync(inject('pgliteTemplate'));
  const pglite = new PGlite({ dataDir: dir, loadDataDir: new Blob([template]) });
  await pglite.waitReady;
  await pglite.close();
}

/**
 * For a test file of the store: its database, created before its first test, emptied
 * (clearContent) before each and closed after the last. Call it at the file's top level; the
 * object it returns reads through to that database once it exists.
 */
export function useTestDatabase(): TestDatabase {
  let database: TestDatabase | undefined;
  const current = () => database ?? failNoDatabase();
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await clearContent(current());
  });
  return {
    get db() {
      return current().db;
    },
    get kind() {
      return current().kind;
    },
    get url() {
      return current().url;
    },
    close: () => current().close(),
  };
}

function failNoDatabase(): never {
  throw new Error('useTestDatabase: the database exists only from beforeAll on; read it inside hooks and tests');
}

/** Empties the content tables between tests: digests, stories, and sources with their items. */
export async function clearContent(database: Database): Promise<void> {
  await database.db.deleteFrom('digests').execute();
  await database.db.deleteFrom('stories').execute();
  await database.db.deleteFrom('sources').execute();
}

async function createPostgresDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `tidings_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(adminUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = openPostgres(url.toString(), 5);
  await migrateToLatest(database.db);
  return {
    ...database,
    url: url.toString(),
    close: async () => {
      await database.close();
      await withAdminClient(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}

async function withAdminClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
