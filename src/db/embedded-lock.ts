/**
 * The lock that lets only one process at a time open an embedded (PGlite) data directory:
 * two PGlite instances on one directory each keep their own copy of Postgres' shared
 * state, so writes are lost or rows appear twice. The file `tidings.lock` in the data
 * directory names its holder (pid, host, role, the service's socket, start time); other
 * processes read it to decide whether to connect to the service, wait, or give up
 * (embedded.ts).
 *
 * Taking it follows PostgreSQL's postmaster.pid (CreateLockFile in
 * src/backend/utils/init/miscinit.c): an exclusive create; if the file exists, read the
 * holder's pid; a holder that no longer exists (kill(pid, 0) fails with ESRCH), or that has
 * our own pid without being us (a restarted container reuses pids), left a stale file,
 * which is unlinked before trying again, at most 100 times. Unlike PostgreSQL we also call a
 * lock from before the last boot stale (the Linux boot id differs), and treat EPERM as
 * alive (another user's process; we do not check who owns the directory). A lock written on
 * another host cannot be checked and counts as held.
 *
 * The file is created complete: written under a private name, then hard-linked to
 * `tidings.lock` (link() fails with EEXIST like O_EXCL), and later rewritten by rename(),
 * so a reader never sees it half written.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

export type EmbeddedRole = 'service' | 'command';

export interface LockHolder {
  pid: number;
  hostname: string;
  role: EmbeddedRole;
  /** The Unix socket a service serves the database on; null until it listens. */
  socket: string | null;
  startedAt: string;
  bootId: string | null;
}

export const LOCK_FILE = 'tidings.lock';

export interface HeldLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** Records the socket the service now listens on. */
  setSocket(socket: string): void;
  /** Removes the file if it is still ours. */
  release(): void;
}

export type LockAttempt =
  /** Ours now; `stale` is the dead holder we took it over from, if any. */
  | { lock: HeldLock; stale: LockHolder | null }
  /** Someone else's; `elsewhere` when it was written on another host. */
  | { holder: LockHolder; elsewhere: boolean };

/** Locks held by this process: a second open of one directory here must not take it over. */
const heldHere = new Map<string, LockHolder>();

export function tryLock(dataDir: string, role: EmbeddedRole): LockAttempt {
  const file = path.join(path.resolve(dataDir), LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, hostname: hostname(), role, socket: null, startedAt: new Date().toISOString(), bootId: bootId() };
  let stale: LockHolder | null = null;
  for (let tries = 0; ; tries++) {
    if (tries > 100)
      throw new Error(
        `Could not take the lock file ${file} after 100 tries (it keeps changing); remove it by hand if no tidings process uses ${dataDir}, and try again.`,
      );
    if (createComplete(file, mine)) return { lock: hold(file, mine), stale };
    const text = readLockText(file);
    if (text === null) continue; // removed since we tried to create it: try again
    const holder = parseHolder(text);
    if (holder) {
      const state = judge(file, holder);
      if (state !== 'stale') return { holder, elsewhere: state === 'elsewhere' };
      stale = holder;
    }
    // Nobody is home. Narrow the race with another process doing the same: remove the
    // file only if it still holds what we judged (PostgreSQL unlinks unconditionally).
    if (readLockText(file) === text) rmSync(file, { force: true });
  }
}

/** The holder named by a data directory's lock file, if any. */
export function readLock(dataDir: string): LockHolder | null {
  const text = readLockText(path.join(path.resolve(dataDir), LOCK_FILE));
  return text === null ? null : parseHolder(text);
}

function judge(file: string, holder: LockHolder): 'live' | 'stale' | 'elsewhere' {
  if (holder.hostname !== hostname()) return 'elsewhere';
  const boot = bootId();
  if (holder.bootId && boot && holder.bootId !== boot) return 'stale';
  if (holder.pid === process.pid) return heldHere.get(file)?.startedAt === holder.startedAt ? 'live' : 'stale';
  return isAlive(holder.pid) ? 'live' : 'stale';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function hold(file: string, mine: LockHolder): HeldLock {
  heldHere.set(file, mine);
  ensureExitHook();
  const lock: HeldLock = {
    file,
    holder: mine,
    setSocket(socket) {
      mine.socket = socket;
      const temp = privateName(file);
      writeFileSync(temp, serialize(mine), { mode: 0o600, flag: 'wx' });
      renameSync(temp, file);
    },
    release() {
      if (heldHere.get(file) !== mine) return;
      heldHere.delete(file);
      removeIfMine(file, mine);
    },
  };
  return lock;
}

function removeIfMine(file: string, mine: LockHolder): void {
  const current = readLockText(file);
  const holder = current === null ? null : parseHolder(current);
  if (holder?.pid === mine.pid && holder.startedAt === mine.startedAt) rmSync(file, { force: true });
}

let exitHooked = false;
/** Best effort on a normal exit; a crash leaves a stale file, which the next opener takes over. */
function ensureExitHook(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const [file, mine] of heldHere) removeIfMine(file, mine);
  });
}

/** Creates `file` with its whole content in one step; false if it exists. */
function createComplete(file: string, mine: LockHolder): boolean {
  const temp = privateName(file);
  writeFileSync(temp, serialize(mine), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    // A filesystem without hard links: a plain exclusive create (briefly empty to readers).
    return createExclusive(file, mine);
  } finally {
    rmSync(temp, { force: true });
  }
}

function createExclusive(file: string, mine: LockHolder): boolean {
  try {
    writeFileSync(file, serialize(mine), { mode: 0o600, flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function readLockText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A holder, or null for a file no live holder can have written (empty or garbled). */
function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isInteger(value.pid) || typeof value.hostname !== 'string' || (value.role !== 'service' && value.role !== 'command')) return null;
    return {
      pid: value.pid!,
      hostname: value.hostname,
      role: value.role,
      socket: typeof value.socket === 'string' ? value.socket : null,
      startedAt: String(value.startedAt ?? 'unknown'),
      bootId: typeof value.bootId === 'string' ? value.bootId : null,
    };
  } catch {
    return null;
  }
}

const serialize = (holder: LockHolder) => `${JSON.stringify(holder, null, 2)}\n`;
const privateName = (file: string) => `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;

let boot: string | null | undefined;
/** Linux's id of the current boot; null elsewhere. */
function bootId(): string | null {
  if (boot !== undefined) return boot;
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    boot = null;
  }
  return boot;
}
