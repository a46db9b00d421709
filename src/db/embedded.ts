/**
 * The embedded database (PGlite) with only one process ever opening a data directory.
 * Two PGlite instances on one directory corrupt it: each has its own Postgres shared
 * state, so rows written by one are lost or duplicated when the other writes.
 *
 * The process that takes the directory's lock (embedded-lock.ts) opens PGlite. A service
 * also serves it on a Unix socket (embedded-server.ts) and records the socket in the lock,
 * so a CLI command run beside it connects there and works on the service's own database,
 * visible to the service at once. A command that finds another command holding the
 * directory (commands are short) waits for it; a second service fails at once.
 */
import { execFile } from 'node:child_process';
import v8 from 'node:v8';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PROFILE_SHARED_BUFFERS } from '../config/env.ts';
import { gateOf } from './backend-gate.ts';
import type { Database } from './database.ts';
import { tryLock, type EmbeddedRole, type HeldLock, type LockHolder } from './embedded-lock.ts';
import { createBackendServer, type BackendServer } from './embedded-server.ts';
import { quietPoolErrors, types } from './pg-pool.ts';
import type { DB } from './schema.ts';

export interface EmbeddedOptions {
  dataDir: string;
  role: EmbeddedRole;
  lockWaitMs?: number;
  holdIdleMs?: number;
  sharedBuffers?: string;
  optimizeWasm?: boolean;
}

const DEFAULT_SHARED_BUFFERS = PROFILE_SHARED_BUFFERS.small;
const LOCK_WAIT_MS = 60_000;
const LOCK_POLL_MS = 100;
// pg finds a server's Unix socket as `<host directory>/.s.PGSQL.<port>`.
const SOCKET_NAME = '.s.PGSQL.5432';
// A socket path must fit sun_path: 108 bytes on Linux, 104 on macOS, with the final NUL.
const MAX_SOCKET_PATH = 100;
const PRIVATE_SOCKET_DIR = 'tidings-socket-';

export async function openEmbedded(options: EmbeddedOptions): Promise<Database> {
  const dataDir = path.resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const waitMs = options.lockWaitMs ?? LOCK_WAIT_MS;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const attempt = tryLock(dataDir, options.role);
    if ('lock' in attempt) return openLocked(dataDir, attempt.lock, attempt.stale, options);
    const { holder, elsewhere } = attempt;
    if (elsewhere) throw new Error(lockedElsewhere(dataDir, holder));
    if (holder.role === 'service') {
      if (options.role === 'service') throw new Error(serviceRunning(dataDir, holder));
      // Null while that service is still starting (or stopping): wait, then look again.
      const remote = holder.socket ? await openRemote(holder, holder.socket) : null;
      if (remote) return remote;
    }
    if (Date.now() >= deadline) throw new Error(stillBusy(dataDir, holder, waitMs));
    await sleep(LOCK_POLL_MS);
  }
}

/** Wraps an open PGlite instance (tests use in-memory ones); closing the Database closes PGlite too. */
export async function openPglite(pglite: PGlite): Promise<Database> {
  await pglite.waitReady;
  return localDatabase(pglite, createBackendServer(pglite), null, async () => {});
}

async function openLocked(dataDir: string, lock: HeldLock, stale: LockHolder | null, options: EmbeddedOptions): Promise<Database> {
  let pglite: PGlite | null = null;
  let server: BackendServer | null = null;
  let privateDir: string | null = null;
  const release = async () => {
    if (privateDir) await rm(privateDir, { recursive: true, force: true });
    lock.release();
  };
  try {
    if (stale?.socket) await removePrivateSocketDir(stale.socket);
    await createEmbeddedDataDir(dataDir);
    // Shared buffers are most of an idle embedded service's memory: PGlite touches them all
    // at start (the migrations alone fill them). 8 MB (Postgres' default is 128 MB) keeps
    // the service of a few dozen sources small: ~10 MB less idle than 16 MB, for a cold
    // cycle of 100 feeds 5-15% slower. Bigger lists miss them more (a PGlite read that
    // misses them is a filesystem call through WebAssembly), so they raise it or use
    // PostgreSQL (README § Memory; npm run bench measures both).
    // A start parameter, not `postgresqlconf`: PGlite would rewrite postgresql.conf with only
    // the lines given, dropping initdb's (timezone = UTC, datestyle, lc_*…).
    if (!options.optimizeWasm) useBaselineWasmCompiler();
    pglite = new PGlite(dataDir, { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${options.sharedBuffers ?? DEFAULT_SHARED_BUFFERS}`] });
    await pglite.waitReady;
    server = createBackendServer(pglite, { holdIdleMs: options.holdIdleMs });
    let socketPath: string | null = null;
    if (options.role === 'service') {
      ({ socketPath, privateDir } = await serveOnSocket(server, dataDir));
      lock.setSocket(socketPath);
    }
    return localDatabase(pglite, server, socketPath, release);
  } catch (error) {
    await server?.close().catch(() => {});
    await pglite?.close().catch(() => {});
    await release();
    throw error;
  }
}

let wasmCompilerChosen = false;

/**
 * V8 compiles WebAssembly with its baseline compiler (Liftoff) and then recompiles hot
 * functions with the optimizing one, keeping both: for Postgres' WebAssembly that is ~35 MB
 * of an idle service (measured: 160 → 125 MB resident for PGlite alone) for ~30% faster
 * queries. A flag read when a module is compiled, so it is set before the first PGlite
 * instance of the process, and only once: modules compiled earlier keep their tiers.
 */
function useBaselineWasmCompiler(): void {
  if (wasmCompilerChosen) return;
  wasmCompilerChosen = true;
  v8.setFlagsFromString('--liftoff-only');
}

/** This process's own pool: pg clients on in-process connections to the backend server. */
function localDatabase(pglite: PGlite, server: BackendServer, socketPath: string | null, release: () => Promise<void>): Database {
  // One client: a transaction holds the backend anyway, and queries from `db` inside a
  // transaction callback would wait for it either way (use `trx`).
  const pool = new pg.Pool({ stream: () => server.connectInProcess(), user: 'postgres', database: 'postgres', max: 1, types });
  quietPoolErrors(pool);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let closing: Promise<void> | null = null;
  const close = async () => {
    try {
      // Our own queries finish first, then socket clients are cut off (their open units
      // rolled back), then nobody holds the backend and PGlite can close.
      await db.destroy();
      await server.close();
      await gateOf(pglite).acquire(server);
      await pglite.close();
    } finally {
      await release();
    }
  };
  return {
    db,
    kind: 'pglite',
    remote: false,
    ...(socketPath ? { socketPath } : {}),
    close: () => (closing ??= close()),
  };
}

/** A pool on the service's socket, or null when it does not answer (starting or gone). */
async function openRemote(service: LockHolder, socketPath: string): Promise<Database | null> {
  if (path.basename(socketPath) !== SOCKET_NAME) return null;
  const pool = new pg.Pool({ host: path.dirname(socketPath), port: 5432, user: 'postgres', database: 'postgres', max: 1, types, application_name: 'tidings' });
  quietPoolErrors(pool);
  try {
    (await pool.connect()).release();
  } catch (error) {
    await pool.end().catch(() => {});
    if ((error as NodeJS.ErrnoException).code !== 'EACCES') return null;
    throw new Error(
      `The tidings service (pid ${service.pid}) serves the embedded database on ${socketPath}, which only the user it runs as may use: run this command as that user.`,
    );
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'pglite', remote: true, close: () => db.destroy() };
}

/**
 * Listens in the data directory when the socket's path fits and its filesystem takes Unix
 * sockets (some container volume mounts do not), else in a private (0700) directory.
 */
async function serveOnSocket(server: BackendServer, dataDir: string): Promise<{ socketPath: string; privateDir: string | null }> {
  const inDataDir = path.join(dataDir, SOCKET_NAME);
  if (Buffer.byteLength(inDataDir) <= MAX_SOCKET_PATH) {
    const listening = await server.listen(inDataDir).then(
      () => true,
      () => false,
    );
    if (listening) return { socketPath: inDataDir, privateDir: null };
  }
  const privateDir = await mkdtemp(path.join(tmpdir(), PRIVATE_SOCKET_DIR));
  const socketPath = path.join(privateDir, SOCKET_NAME);
  try {
    await server.listen(socketPath);
  } catch (error) {
    await rm(privateDir, { recursive: true, force: true });
    throw error;
  }
  return { socketPath, privateDir };
}

/** A crashed service's private socket directory; its socket in the data dir is replaced on listen. */
async function removePrivateSocketDir(socketPath: string): Promise<void> {
  const dir = path.dirname(socketPath);
  if (path.dirname(dir) === tmpdir() && path.basename(dir).startsWith(PRIVATE_SOCKET_DIR)) await rm(dir, { recursive: true, force: true });
}

/**
 * Runs initdb for a new embedded data directory in a child process: done in this process,
 * initdb's WebAssembly instance (~600 MB) would stay resident until it exits. Best effort:
 * if the child fails, opening the directory below runs initdb here and reports any error.
 */
async function createEmbeddedDataDir(dataDir: string): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const script =
    'const { PGlite } = await import(process.env.TIDINGS_PGLITE); const db = new PGlite(process.env.TIDINGS_DATA_DIR); await db.waitReady; await db.close();';
  const env = { ...process.env, TIDINGS_PGLITE: import.meta.resolve('@electric-sql/pglite'), TIDINGS_DATA_DIR: dataDir };
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env, timeout: 120_000 }).catch(() => {});
}

function serviceRunning(dataDir: string, holder: LockHolder): string {
  return (
    `Another tidings service (pid ${holder.pid}, started ${holder.startedAt}) already has the embedded database in ${dataDir} open. ` +
    'Stop that service first, or give this one another DATA_DIR, or set DATABASE_URL to use PostgreSQL, which several instances can share.'
  );
}

function lockedElsewhere(dataDir: string, holder: LockHolder): string {
  return (
    `The embedded database in ${dataDir} is locked by a tidings ${holder.role} on host ${holder.hostname} ` +
    `(pid ${holder.pid}, started ${holder.startedAt}), which cannot be checked from this host. ` +
    `If you are sure no tidings process on ${holder.hostname} uses this directory, remove ${path.join(dataDir, 'tidings.lock')} and try again.`
  );
}

function stillBusy(dataDir: string, holder: LockHolder, waitMs: number): string {
  const waited = `${Number((waitMs / 1000).toFixed(1))} s`;
  if (holder.role === 'service') {
    return (
      `The tidings service (pid ${holder.pid}, started ${holder.startedAt}) that has the embedded database in ${dataDir} open ` +
      `did not accept connections${holder.socket ? ` on ${holder.socket}` : ''} within ${waited}. ` +
      `If it is still starting, try again shortly; if it hangs, stop it (kill ${holder.pid}).`
    );
  }
  return (
    `The embedded database in ${dataDir} is still in use by another tidings command (pid ${holder.pid}, started ${holder.startedAt}) after ${waited}. ` +
    `Let it finish (or stop it: kill ${holder.pid}) and try again.`
  );
}
