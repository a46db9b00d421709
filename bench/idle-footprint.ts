/**
 * The idle footprint of the default: the service started as `npm start` starts it (the
 * package's start script, on the embedded database in a fresh data directory, with the
 * repository's feeds.config.json), measured once its first poll cycle is over and its
 * parser workers have gone idle. Resident memory of the service's process tree.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** Longer than the read-feed pool's idle time (30 s): its workers have stopped. */
export const SETTLE_MS = 35_000;
const START_TIMEOUT_MS = 180_000;

export interface IdleFootprint {
  /** Resident MB of the service's processes after the first cycle and SETTLE_MS of idling. */
  idleMb: number;
  /** The service's peak resident MB until then (its first cycle included). */
  peakMb: number;
  processes: number;
}

/** The command of package.json's start script, without npm: `node <flags> bin/tidings.mjs serve`. */
function startCommand(root: string): string[] {
  const script = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [program, ...args] = script.split(/\s+/);
  if (program !== 'node') throw new Error(`package.json's start script does not run node: ${script}`);
  return args;
}

function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry), ...childPids(Number(entry)));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

export async function measureIdleFootprint(root: string, settleMs = SETTLE_MS): Promise<IdleFootprint> {
  if (process.platform !== 'linux') throw new Error('the idle footprint is read from /proc (Linux only)');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tidings-idle-'));
  const env = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'debug', DATABASE_URL: '', FEEDS_CONFIG: path.join(root, 'feeds.config.json') };
  const child = spawn(process.execPath, startCommand(root), { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    // The first poll cycle is over when the scheduler logs its end (the service polls at start).
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the service did not finish its first poll cycle in time')), START_TIMEOUT_MS);
      child.once('exit', (code) => reject(new Error(`the service exited (${code}) before its first poll cycle ended`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.includes('"job":"poll-feeds"') && line.includes('job finished')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const pids = [child.pid!, ...childPids(child.pid!)];
    const idleKb = pids.reduce((sum, pid) => sum + statusKb(pid, 'VmRSS'), 0);
    const peakKb = pids.reduce((sum, pid) => sum + statusKb(pid, 'VmHWM'), 0);
    return { idleMb: idleKb / 1024, peakMb: peakKb / 1024, processes: pids.length };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
