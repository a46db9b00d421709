/**
 * node-cron wiring for the periodic jobs. Each job never overlaps itself (a tick that
 * finds the previous run still going is skipped), and stop() aborts the running jobs'
 * signal and waits for them to wind down, so SIGTERM never cuts a poll in half.
 */
import { setMaxListeners } from 'node:events';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from './logger.ts';

export interface Job {
  name: string;
  /** Cron expression (node-cron syntax, optional seconds field). */
  schedule: string;
  timezone?: string | undefined;
  /** Run once right away as well (e.g. polling at start-up). */
  runAtStart?: boolean;
  run(signal: AbortSignal): Promise<unknown>;
}

export interface Scheduler {
  /** Runs a job now unless it is already running; resolves when that run ends. */
  runNow(name: string): Promise<void>;
  /**
   * Replaces the jobs whose names start with `prefix` by `jobs` (the digest jobs, when the
   * topics change): a job whose schedule is unchanged keeps its timer; a run in progress of
   * a job that goes finishes.
   */
  replace(prefix: string, jobs: Job[]): void;
  stop(): Promise<void>;
}

export function startScheduler(jobs: Job[], log: Logger): Scheduler {
  const controller = new AbortController();
  // Every request in flight listens to this one signal (polling.concurrency of them, 16 by
  // default): that is by design, not the leak Node warns about past 10 listeners.
  setMaxListeners(0, controller.signal);
  const running = new Map<string, Promise<void>>();
  const byName = new Map(jobs.map((job) => [job.name, job]));

  const trigger = (job: Job): Promise<void> => {
    const current = running.get(job.name);
    if (current) {
      log.debug({ job: job.name }, 'previous run still going; tick skipped');
      return current;
    }
    if (controller.signal.aborted) return Promise.resolve();
    const started = performance.now();
    const run = job
      .run(controller.signal)
      .then(
        () => log.debug({ job: job.name, durationMs: Math.round(performance.now() - started) }, 'job finished'),
        (error: unknown) => log.error({ job: job.name, err: error }, 'job failed'),
      )
      .finally(() => running.delete(job.name));
    running.set(job.name, run);
    return run;
  };

  const tasks = new Map<string, ScheduledTask>();
  const schedule = (job: Job) => {
    // The job as it is at the tick: replace() may have swapped in a new one under this name.
    const task = cron.schedule(job.schedule, () => void (byName.has(job.name) && trigger(byName.get(job.name)!)), {
      name: job.name,
      ...(job.timezone ? { timezone: job.timezone } : {}),
    });
    tasks.set(job.name, task);
  };
  for (const job of jobs) schedule(job);
  for (const job of jobs) if (job.runAtStart) void trigger(job);

  return {
    runNow: (name) => {
      const job = byName.get(name);
      if (!job) throw new Error(`unknown job "${name}"`);
      return trigger(job);
    },
    replace(prefix, next) {
      if (controller.signal.aborted) return;
      const wanted = new Map(next.map((job) => [job.name, job]));
      for (const [name, job] of byName) {
        if (!name.startsWith(prefix)) continue;
        const kept = wanted.get(name);
        if (kept && kept.schedule === job.schedule && kept.timezone === job.timezone) continue;
        void tasks.get(name)?.destroy();
        tasks.delete(name);
        byName.delete(name);
      }
      for (const job of next) {
        const scheduled = tasks.has(job.name);
        byName.set(job.name, job);
        if (!scheduled) schedule(job);
      }
    },
    async stop() {
      await Promise.all([...tasks.values()].map((task) => task.destroy()));
      controller.abort();
      await Promise.all(running.values());
    },
  };
}
