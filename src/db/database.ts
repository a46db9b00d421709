/**
 * Opens the database: real Postgres through `pg` when a URL is given, else the
 * embedded PGlite (Postgres compiled to WASM) through its node-postgres adapter.
 * Both go through kysely's standard PostgresDialect, so every query and migration
 * runs unchanged on either (STACK.md: avoid kysely-pglite).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';

export interface Database {
  db: Kysely<DB>;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

// int8 (bigint ids, count(*)) arrive as strings by default; our ids and counts stay far
// below 2^53, so numbers are safe and far less error-prone.
// A date column is a calendar day, not an instant: keep it as 'YYYY-MM-DD' instead of a
// Date at local midnight, which would shift with the server's time zone.
const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;
const DATE_OID = 1082;
const parseInt8Array = pg.types.getTypeParser(INT8_ARRAY_OID as never) as (value: string) => string[];
const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8_OID) return (value: string) => Number(value);
    if (oid === INT8_ARRAY_OID) return (value: string) => parseInt8Array(value).map(Number);
    if (oid === DATE_OID) return (value: string) => value;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

export interface OpenOptions {
  /** Postgres connection string; null selects the embedded database. */
  databaseUrl: string | null;
  /** Directory of the embedded database (created when missing). */
  dataDir: string;
  /** Pool size for Postgres. */
  maxConnections?: number;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl !== null) return openPostgres(options.databaseUrl, options.maxConnections ?? 10);
  mkdirSync(options.dataDir, { recursive: true });
  await createEmbeddedDataDir(options.dataDir);
  // Postgres' default 128 MB of shared buffers: 32 MB saved ~100 MB of RSS but made a
  // 1,000-feed cold cycle 1.5x slower (npm run bench): a PGlite read that misses them is
  // a filesystem call through WebAssembly, far dearer than for a real server.
  return openPglite(new PGlite(options.dataDir));
}

/**
 * Runs initdb for a new embedded data directory in a child process: done in this process,
 * initdb's WebAssembly instance (~600 MB) would stay resident until it exits. Best effort:
 * if the child fails, opening the directory below runs initdb here and reports any error.
 */
async function createEmbeddedDataDir(dataDir: string): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const script = 'const { PGlite } = await import(process.env.TIDINGS_PGLITE); const db = new PGlite(process.env.TIDINGS_DATA_DIR); await db.waitReady; await db.close();';
  const env = { ...process.env, TIDINGS_PGLITE: import.meta.resolve('@electric-sql/pglite'), TIDINGS_DATA_DIR: dataDir };
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env, timeout: 120_000 }).catch(() => {});
}

export function openPostgres(connectionString: string, max = 10): Database {
  // JIT off: our queries are short index look-ups, and the planner's guess for a GIN `&&`
  // look-up at a million items is high enough to trigger ~100 ms of JIT compilation on a
  // query that then runs in 4 ms (measured by npm run bench).
  // No parallel query, for the same reason: starting workers for a 2,000-row index join cost
  // ~35 ms of a query that runs in ~11 ms without them, and the story grouper runs such
  // queries back to back (npm run bench, 2 cores).
  const pool = new pg.Pool({ connectionString, max, types, application_name: 'tidings', options: '-c jit=off -c max_parallel_workers_per_gather=0' });
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool drops that client and the next query reconnects.
  pool.on('error', () => {});
  // A client checked out of the pool (between two statements of a transaction, or between
  // checkout and query) has no pool listener: its 'error' would be unhandled and kill the
  // process. Its query fails instead, and the pool discards it on release (not queryable).
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

/** Wraps an open PGlite instance; closing the Database closes PGlite too. */
export async function openPglite(pglite: PGlite): Promise<Database> {
  await pglite.waitReady;
  // PGlite is one connection: a pool larger than 1 would interleave two clients' protocol streams.
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1, types });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'pglite',
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}
