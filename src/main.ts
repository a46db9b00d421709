/**
 * Composition root of `tidings serve`: open and migrate the database, sync the config's
 * sources, start the HTTP server and the scheduler; stop both cleanly on SIGTERM/SIGINT.
 */
import type { Env } from './config/env.ts';
import type { FeedsConfig } from './config/feeds-config.ts';
import { buildServer } from './http/server.ts';
import type { Logger } from './logger.ts';
import { openRuntime } from './runtime.ts';
import { startScheduler } from './scheduler.ts';
import { pollFeeds } from '../jobs/poll-feeds.ts';

export interface Service {
  /** Base URL the server listens on. */
  url: string;
  stop(): Promise<void>;
  /** Resolves once the service has stopped (after a signal or stop()). */
  stopped: Promise<void>;
}

export async function serve(env: Env, config: FeedsConfig, log: Logger, options: { handleSignals?: boolean } = {}): Promise<Service> {
  const runtime = await openRuntime(env, config, log);
  const server = buildServer({ db: runtime.database.db, log });
  let url: string;
  try {
    url = await server.listen({ host: env.host, port: env.port });
  } catch (error) {
    await runtime.close();
    throw new Error(`cannot listen on ${env.host}:${env.port}: ${(error as Error).message}`, { cause: error });
  }
  const scheduler = startScheduler(
    [
      {
        name: 'poll-feeds',
        schedule: config.polling.schedule,
        runAtStart: true,
        run: (signal) => pollFeeds(runtime.refresh, { signal }),
      },
    ],
    log.child({ component: 'scheduler' }),
  );
  log.info({ url, database: runtime.database.kind, sources: config.sources.length }, 'Tidings is running');

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('stopping: finishing in-flight polls');
      await server.close();
      await scheduler.stop();
      await runtime.close();
      log.info('stopped');
      resolveStopped();
    })());

  if (options.handleSignals ?? true) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => void stop());
    }
  }
  return { url, stop, stopped };
}
