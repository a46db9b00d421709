import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, readLock, tryLock, type EmbeddedRole, type HeldLock, type LockAttempt } from '../../../src/db/embedded-lock.ts';

let dir: string;
const held: HeldLock[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tidings-lock-'));
});
afterEach(() => {
  for (const lock of held.splice(0)) lock.release();
  rmSync(dir, { recursive: true, force: true });
});

function attempt(role: EmbeddedRole): LockAttempt {
  const result = tryLock(dir, role);
  if ('lock' in result) held.push(result.lock);
  return result;
}

const writeLock = (fields: Record<string, unknown>) =>
  writeFileSync(
    path.join(dir, LOCK_FILE),
    JSON.stringify({ pid: process.pid, hostname: hostname(), role: 'service', socket: null, startedAt: 'then', bootId: null, ...fields }),
  );

describe('the embedded data directory lock', () => {
  it('names its holder in the file and removes the file on release', () => {
    const result = attempt('service');
    if (!('lock' in result)) throw new Error('not taken');
    result.lock.setSocket('/run/x/.s.PGSQL.5432');
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
      role: 'service',
      socket: '/run/x/.s.PGSQL.5432',
    });
    result.lock.release();
    expect(readLock(dir)).toBeNull();
  });

  it('is held against a second open in the same process', () => {
    attempt('command');
    expect(attempt('service')).toMatchObject({ holder: { pid: process.pid, role: 'command' }, elsewhere: false });
  });

  it('takes over a file with our own pid that this process did not write (a restarted container reuses pids)', () => {
    writeLock({ startedAt: 'an earlier life' });
    expect(attempt('command')).toMatchObject({ stale: { pid: process.pid, startedAt: 'an earlier life' } });
    expect(readLock(dir)).toMatchObject({ pid: process.pid, role: 'command' });
  });

  it.runIf(process.platform === 'linux')('takes over a lock written before the last boot, whatever its pid', () => {
    writeLock({ pid: process.ppid, bootId: 'another-boot' });
    expect(attempt('service')).toMatchObject({ stale: { pid: process.ppid } });
  });

  it('takes over an empty or garbled file, which no live holder can have written', () => {
    for (const text of ['', '{"pid":']) {
      writeFileSync(path.join(dir, LOCK_FILE), text);
      expect('lock' in attempt('command')).toBe(true);
      held.pop()!.release();
    }
  });

  it('counts a live process on this host as the holder, and one on another host as elsewhere', () => {
    writeLock({ pid: process.ppid, role: 'command' });
    expect(attempt('command')).toMatchObject({ holder: { pid: process.ppid }, elsewhere: false });
    writeLock({ pid: process.ppid, hostname: 'other-host.example' });
    expect(attempt('command')).toMatchObject({ holder: { hostname: 'other-host.example' }, elsewhere: true });
  });
});
