/**
 * Composition root of `tidings serve`: open and migrate the database, sync the config's
 * sources, re-classify if the topic rules changed, make sure every topic feed is
 * rendered, then start the HTTP server and the scheduler; stop both cleanly on
 * SIGTERM/SIGINT.
 */
import type { Env } from './config/env.ts';
import type { FeedsConfig } from './config/feeds-config.ts';
import type { Database } from './db/database.ts';
import { adminContext } from './admin/context.ts';
import { createAdminApi } from './admin/api.ts';
import { createFeedCache } from './http/feed-cache.ts';
import { buildServer } from './http/server.ts';
import type { Logger } from './logger.ts';
import type { IndexTopic } from './render/pages.ts';
import { openRuntime, type FetcherTestHooks, type Runtime } from './runtime.ts';
import { startScheduler, type Scheduler } from './scheduler.ts';
import { digestCronExpression } from './digest-periods.ts';
import { findDigest } from './store/digests.ts';
import { documentGenerations, loadDocumentGenerations } from './store/rendered-feeds.ts';
import { pendingMigrations } from './db/migrate.ts';
import { renderMetrics } from './metrics.ts';
import { failingSourceCount, pingDatabase, pollLagSeconds } from './store/health.ts';
import type { Readiness } from './http/public-routes.ts';
import { deleteMarkedSources } from '../jobs/delete-sources.ts';
import { pruneItems } from '../jobs/prune-items.ts';
import { vacuumTables } from '../jobs/vacuum-tables.ts';
import { buildDueDigests } from '../jobs/build-digests.ts';
import { pollAndRegenerate } from '../jobs/poll-feeds.ts';
import { reclassifyIfRulesChanged } from '../jobs/reclassify-items.ts';
import { etagOf, regenerateFeeds, renderTopicDocuments } from '../jobs/regenerate-feeds.ts';

export interface Service {
  /** Base URL the server listens on. */
  url: string;
  runtime: Runtime;
  /** Runs a poll cycle now (unless one is running) and waits for it. */
  pollNow(): Promise<void>;
  /** Runs every topic's digest job now and waits for them. */
  digestsNow(): Promise<void>;
  /** Loads documents rendered elsewhere (other instances, the CLI) into the serving cache now. */
  syncFeeds(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once the service has stopped (after a signal or stop()). */
  stopped: Promise<void>;
}

const FEED_CACHE_SYNC_MS = 5_000;
/** Retention runs daily at a quiet hour (server time); each batch is a short transaction. */
const PRUNE_SCHEDULE = '17 4 * * *';
// The embedded database's stand-in for autovacuum (jobs/vacuum-tables.ts): hourly, off the poll's minute.
const VACUUM_SCHEDULE = '41 * * * *';
const READINESS_TIMEOUT_MS = 2_000;
const DELETE_SCHEDULE = '30 * * * * *';

async function readiness(runtime: Runtime): Promise<Readiness> {
  const { db } = runtime.database;
  try {
    await pingDatabase(db, READINESS_TIMEOUT_MS);
  } catch (error) {
    return { ready: false, checks: { database: { ok: false, detail: (error as Error).message }, migrations: { ok: false, detail: 'unknown while the database is unreachable' } } };
  }
  const pending = await pendingMigrations(db).catch(() => ['(could not read migrations)']);
  return {
    ready: pending.length === 0,
    checks: { database: { ok: true }, migrations: pending.length === 0 ? { ok: true } : { ok: false, detail: `pending: ${pending.join(', ')}` } },
  };
}

export interface ServeOptions {
  /** Install SIGTERM/SIGINT handlers (default true). */
  handleSignals?: boolean;
  /** Use this database instead of the one env names (tests). */
  database?: Database;
  /** Fetcher hooks (tests only). */
  fetcherHooks?: FetcherTestHooks;
  /** Poll once right after start-up (default true; the benchmark times that cycle itself). */
  pollAtStart?: boolean;
  /** The clock the jobs read (the simulation moves it); default: the system clock. */
  now?: () => Date;
}

/** Shorter admin tokens are accepted but easy to guess: say so at start-up. */
const MIN_ADMIN_TOKEN_LENGTH = 24;

export async function serve(env: Env, config: FeedsConfig, log: Logger, options: ServeOptions = {}): Promise<Service> {
  const runtime = await openRuntime(env, config, log, { database: options.database, fetcherHooks: options.fetcherHooks, syncConfig: true, now: options.now, role: 'service' });
  const { db } = runtime.database;
  const feedCache = createFeedCache({ generations: () => documentGenerations(db), documents: (keys) => loadDocumentGenerations(db, keys) });
  const regenerate = { ...runtime.regenerate, onChange: feedCache.put };
  let server: ReturnType<typeof buildServer>;
  let url: string;
  let scheduler: Scheduler | undefined;
  try {
    await reclassifyIfRulesChanged(runtime.reclassify);
    // All topics, not only re-classified ones: titles and descriptions may have changed too.
    await regenerateFeeds(runtime.regenerate);
    await feedCache.sync();
    const topics: IndexTopic[] = config.topics.map((t) => ({ slug: t.slug, title: t.title, description: t.description, hasDigest: true }));
    if (env.adminToken !== null && env.adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
      log.warn({ length: env.adminToken.length }, `ADMIN_TOKEN is short; use at least ${MIN_ADMIN_TOKEN_LENGTH} random characters (e.g. openssl rand -hex 32)`);
    }
    server = buildServer({
      log,
      topics,
      publicUrl: env.publicUrl,
      trustProxy: env.trustProxy,
      feedCache,
      renderDocument: async (slug, kind, format, limit) => {
        const topic = topics.find((t) => t.slug === slug)!;
        const body = (await renderTopicDocuments(db, topic, kind, env.publicUrl, limit))[format];
        return { body, etag: etagOf(body) };
      },
      findDigest: async (slug, date) => {
        const digest = await findDigest(db, slug, date);
        return digest && { title: digest.title, html: digest.html, periodStart: digest.period_start, periodEnd: digest.period_end };
      },
      readiness: () => readiness(runtime),
      metricsToken: env.metricsToken,
      metrics: async () => ({
        contentType: runtime.metrics.registry.contentType,
        body: await renderMetrics(runtime.metrics, { pollLagSeconds: () => pollLagSeconds(db, runtime.now()), sourcesFailing: () => failingSourceCount(db) }),
      }),
      // Admin changes re-render feeds through `regenerate`, which also updates this instance's cache;
      // large deletions go to the delete-sources job.
      admin: { token: env.adminToken, api: createAdminApi(adminContext(runtime, regenerate, () => void scheduler?.runNow('delete-sources'))), secureCookies: env.publicUrl.startsWith('https:') },
    });
    url = await server.listen({ host: env.host, port: env.port });
  } catch (error) {
    await runtime.close();
    const listening = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' || (error as NodeJS.ErrnoException).code === 'EACCES';
    throw listening ? new Error(`cannot listen on ${env.host}:${env.port}: ${(error as Error).message}`, { cause: error }) : error;
  }
  feedCache.start(FEED_CACHE_SYNC_MS, (error) => log.warn({ err: error }, 'feed cache sync failed; serving the last documents'));

  scheduler = startScheduler(
    [
      {
        name: 'poll-feeds',
        schedule: config.polling.schedule,
        run: (signal) => pollAndRegenerate(runtime.refresh, regenerate, { signal }),
      },
      {
        // Sources an admin removed, deleted a batch at a time; every minute too, so a deletion
        // cut short by a restart resumes.
        name: 'delete-sources',
        schedule: DELETE_SCHEDULE,
        run: async (signal) => {
          const { topics } = await deleteMarkedSources({ db, log: log.child({ component: 'delete' }), now: runtime.now }, { signal });
          if (topics.size > 0) await regenerateFeeds(regenerate, topics, ['feed']);
        },
      },
      {
        name: 'prune-items',
        schedule: PRUNE_SCHEDULE,
        run: async (signal) => {
          const { topics } = await pruneItems(runtime.prune, signal);
          if (topics.size > 0) await regenerateFeeds(regenerate, topics, ['feed']);
        },
      },
      ...(runtime.database.kind === 'pglite'
        ? [{ name: 'vacuum-tables', schedule: VACUUM_SCHEDULE, run: () => vacuumTables({ db, log: log.child({ component: 'vacuum' }) }) }]
        : []),
      // One job per topic, in the topic's time zone, a few seconds after each period ends.
      ...runtime.digestTopics.map((topic) => ({
        name: `digest:${topic.slug}`,
        schedule: `5 ${digestCronExpression(topic.digest)}`,
        timezone: topic.digest.timezone,
        run: async () => {
          const built = await buildDueDigests(runtime.digest, topic);
          if (built.length > 0) await regenerateFeeds(regenerate, [topic.slug], ['digest']);
        },
      })),
    ],
    log.child({ component: 'scheduler' }),
  );
  const digestsNow = () => Promise.all(runtime.digestTopics.map((t) => scheduler.runNow(`digest:${t.slug}`))).then(() => {});
  // Poll once at start-up, then catch up on digests missed while down: the items of those
  // periods still in the sources' feeds belong in them.
  void (options.pollAtStart ?? true ? scheduler.runNow('poll-feeds') : Promise.resolve()).then(digestsNow);
  log.info(
    { url, publicUrl: env.publicUrl, database: runtime.database.kind, socket: runtime.database.socketPath, topics: config.topics.length, sources: config.sources.length },
    'Tidings is running',
  );

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('stopping: finishing in-flight polls');
      feedCache.stop();
      await server.close();
      await scheduler.stop();
      await runtime.close();
      log.info('stopped');
      resolveStopped();
    })());

  if (options.handleSignals ?? true) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop());
  }
  return {
    url,
    runtime,
    pollNow: () => scheduler.runNow('poll-feeds'),
    digestsNow,
    syncFeeds: () => feedCache.sync().then(() => {}),
    stop,
    stopped,
  };
}
