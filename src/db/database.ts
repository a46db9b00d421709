/**
 * Opens the database: real Postgres through `pg` when a URL is given, else the embedded
 * PGlite (Postgres compiled to WASM; embedded.ts). Both go through kysely's standard
 * PostgresDialect over a pg pool, so every query and migration runs unchanged on either
 * (docs/architecture.md: avoid kysely-pglite).
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { openEmbedded } from './embedded.ts';
import type { EmbeddedRole } from './embedded-lock.ts';
import { quietPoolErrors, types } from './pg-pool.ts';
import type { DB } from './schema.ts';

export { openPglite } from './embedded.ts';
export type { EmbeddedRole } from './embedded-lock.ts';

export interface Database {
  db: Kysely<DB>;
  kind: 'postgres' | 'pglite';
  /**
   * Embedded only: true when this process reaches the data directory through the running
   * service's socket instead of opening it (the service owns it; see embedded.ts).
   */
  remote?: boolean;
  /** Embedded service only: the Unix socket it serves the database on to other processes. */
  socketPath?: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Postgres connection string; null selects the embedded database. */
  databaseUrl: string | null;
  /** Directory of the embedded database (created when missing). */
  dataDir: string;
  /**
   * Embedded only. 'service': the long-running server; it opens the directory and serves
   * it on a Unix socket, and refuses to start beside another service. 'command' (default):
   * a CLI command; it uses a running service's database through that socket, else opens
   * the directory itself, after waiting for another command that has it open.
   */
  role?: EmbeddedRole;
  /** Pool size for Postgres. */
  maxConnections?: number;
  /** Embedded: how long to wait for another command holding the directory (default 60 s). */
  lockWaitMs?: number;
  /** Embedded service: how long a socket client may hold the database silent (default 60 s). */
  holdIdleMs?: number;
  /** Embedded: Postgres shared_buffers (default 8MB; Env.embeddedSharedBuffers). */
  sharedBuffers?: string;
  /** Embedded: let V8 optimize Postgres' WebAssembly (faster, ~35 MB more; Env.embeddedProfile). */
  optimizeWasm?: boolean;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl !== null) return openPostgres(options.databaseUrl, options.maxConnections ?? 10);
  return openEmbedded({ ...options, role: options.role ?? 'command' });
}

export function openPostgres(connectionString: string, max = 10): Database {
  // JIT off: our queries are short index look-ups, and the planner's guess for a GIN `&&`
  // look-up at a million items is high enough to trigger ~100 ms of JIT compilation on a
  // query that then runs in 4 ms (measured by npm run bench).
  // No parallel query, for the same reason: starting workers for a 2,000-row index join cost
  // ~35 ms of a query that runs in ~11 ms without them, and the story grouper runs such
  // queries back to back (npm run bench, 2 cores).
  const pool = new pg.Pool({ connectionString, max, types, application_name: 'tidings', options: '-c jit=off -c max_parallel_workers_per_gather=0' });
  quietPoolErrors(pool);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}
