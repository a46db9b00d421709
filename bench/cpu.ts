/**
 * CPU seconds (user + system) spent by the service and its database over an interval.
 * The service is this process: process.cpuUsage() counts all its threads, the poller's
 * workers and PGlite, which runs in this process. On PostgreSQL the server's processes are
 * added, read from /proc (Linux only): every process named `postgres` on this machine, so
 * another cluster or another client busy on the same server is counted too.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface CpuMeter {
  /** What the figures cover, for their names: 'service + database' or 'service only'. */
  covers: string;
  /** What was counted, or why the database was left out. */
  note: string;
  /** Starts an interval; `stop()` gives the CPU seconds spent in it, `split()` its two parts. */
  start(): CpuInterval;
}

export interface CpuInterval {
  /** Service and database together. */
  stop(): number;
  /** After stop(): the service's part and the database's (0 where it runs in the service). */
  split(): { service: number; database: number };
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/**
 * utime + stime of every `postgres` process, plus cutime + cstime: a backend or autovacuum
 * worker that exits during the interval takes its own times with it, and they reappear in
 * those of the postmaster, which reaps it.
 */
function postgresTicks(): { ticks: number; processes: number } {
  let ticks = 0;
  let processes = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      // Fields 14–17 (utime, stime, cutime, cstime); the name in field 2 may hold spaces,
      // so count from the parenthesis that closes it (field 3 is the first after it).
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
      processes++;
    } catch {
      // The process ended between the listing and the read: its times are its parent's now.
    }
  }
  return { ticks, processes };
}

const serviceSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

export function serviceAndDatabaseCpu(onPostgres: boolean): CpuMeter {
  const serviceOnly = (covers: string, note: string): CpuMeter => ({
    covers,
    note,
    start() {
      const before = serviceSeconds();
      let spent = 0;
      return {
        stop: () => (spent = serviceSeconds() - before),
        split: () => ({ service: spent, database: 0 }),
      };
    },
  });
  if (!onPostgres) return serviceOnly('service + database', 'this process (PGlite runs in it)');
  if (!existsSync('/proc/self/stat')) return serviceOnly('service only', 'PostgreSQL left out: no /proc on this system (Linux only)');
  const visible = postgresTicks().processes;
  if (visible === 0) return serviceOnly('service only', 'PostgreSQL left out: no postgres process on this machine (a remote server?)');
  const hz = clockTicksPerSecond();
  return {
    covers: 'service + database',
    note: `this process and every postgres process on this machine (${visible} now, ${hz} ticks/s)`,
    start() {
      // The /proc scans stay outside the service's own count: before it starts, after it stops.
      const database = postgresTicks().ticks;
      const service = serviceSeconds();
      const spent = { service: 0, database: 0 };
      return {
        stop() {
          spent.service = serviceSeconds() - service;
          spent.database = (postgresTicks().ticks - database) / hz;
          return spent.service + spent.database;
        },
        split: () => ({ ...spent }),
      };
    },
  };
}
