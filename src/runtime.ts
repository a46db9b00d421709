/**
 * The long-lived pieces every command needs, built once from env + config and passed
 * down: the database (migrated, config synced), the fetcher and the poll context.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Env } from './config/env.ts';
import type { FeedsConfig } from './config/feeds-config.ts';
import { openDatabase, type Database, type EmbeddedRole } from './db/database.ts';
import { migrateToLatest, pendingMigrations } from './db/migrate.ts';
import { compileTopics } from './ingest/classify.ts';
import { createFetcher, type Fetcher, type FetcherOptions } from './ingest/fetch.ts';
import { createHostGate, type HostGate, type HostGateOptions } from './ingest/host-slots.ts';
import { createReadFeedPool } from './ingest/read-feed-pool.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createStoryGrouper, storyGrouping, type StoryGrouper, type StoryGrouping } from './dedupe/index.ts';
import { groupPendingItems } from './store/story-assignment.ts';
import type { RefreshContext } from './ingest/refresh-source.ts';
import type { Logger } from './logger.ts';
import { syncConfigSources } from './store/sources.ts';
import { analyzeGrownTables } from './store/table-statistics.ts';
import { ensureHostSlots, releaseHostSlots, tryAcquireHostSlots, type SlotRelease, type SlotRequest } from './store/host-politeness.ts';
import { coalesceCalls } from './ingest/coalesce-calls.ts';
import type { TopicInfo } from './render/topic-feed.ts';
import packageJson from '../package.json' with { type: 'json' };
import type { RegenerateContext } from '../jobs/regenerate-feeds.ts';
import type { ReclassifyContext } from '../jobs/reclassify-items.ts';
import type { DigestContext, DigestTopic } from '../jobs/build-digests.ts';
import type { PruneContext } from '../jobs/prune-items.ts';
import { leaseSeconds } from '../jobs/poll-feeds.ts';
import type { Kysely } from 'kysely';
import type { DB } from './db/schema.ts';
import type { PollingConfig } from './config/feeds-config.ts';

export const VERSION: string = packageJson.version;

export interface Runtime {
  env: Env;
  config: FeedsConfig;
  database: Database;
  fetcher: Fetcher;
  refresh: RefreshContext;
  regenerate: RegenerateContext;
  reclassify: ReclassifyContext;
  digest: DigestContext;
  digestTopics: DigestTopic[];
  prune: PruneContext;
  metrics: Metrics;
  log: Logger;
  now: () => Date;
  close(): Promise<void>;
}

export function userAgent(publicUrl: string): string {
  return `Tidings/${VERSION} (feed aggregator; +${publicUrl})`;
}

/** Fetcher settings only tests set (a fake DNS, one reachable local address). */
export type FetcherTestHooks = Partial<Pick<FetcherOptions, 'lookup' | 'isAllowedAddress'>>;

/**
 * How long a host slot stays taken if its holder dies: one request chain is bounded by
 * timeoutMs (plus in-process queueing, which the gate keeps short), so twice that and a
 * margin only lapses for a dead poller.
 */
export function hostSlotLeaseSeconds(timeoutMs: number): number {
  return Math.ceil((2 * timeoutMs) / 1000) + 10;
}

/**
 * The per-host politeness gate on the shared database: `polling.perHost` slots per host and
 * `polling.hostSpacing` between request starts, for every instance on this database.
 */
export function databaseHostGate(db: Kysely<DB>, polling: PollingConfig, owner: string, log: Logger, overrides: Partial<Pick<HostGateOptions, 'maxWaitMs' | 'retry'>> = {}): HostGate {
  const terms = { owner, perHost: polling.perHost, spacingSeconds: polling.hostSpacing, leaseSeconds: hostSlotLeaseSeconds(polling.timeoutMs) };
  // Every fetch takes a slot and gives it back: concurrent pollers' requests share statements.
  const tryAcquire = coalesceCalls((requests: SlotRequest[]) => tryAcquireHostSlots(db, terms, requests));
  const release = coalesceCalls(async (releases: SlotRelease[]) => {
    await releaseHostSlots(db, releases);
    return releases.map(() => undefined);
  });
  return createHostGate({
    store: {
      ensure: (host) => ensureHostSlots(db, host, polling.perHost),
      tryAcquire: (host, leaseId) => tryAcquire({ host, leaseId }),
      release: (host, slot, leaseId) => release({ host, slot, leaseId }),
    },
    perHost: polling.perHost,
    // Half the source lease: a poll that waited this long still ends well before its claim lapses.
    maxWaitMs: (leaseSeconds(polling.timeoutMs) * 1000) / 2,
    log,
    ...overrides,
  });
}

/** How often, at most, the grouper checks whether tables outgrew their planner statistics. */
const STATISTICS_CHECK_MS = 2000;

/**
 * The grouper every poll of this process shares (see story-grouper.ts). Its runs are where
 * items arrive, so after them it also keeps the growing tables' statistics current
 * (table-statistics.ts): a failure there is logged and grouping goes on.
 */
export function storyGrouper(db: Kysely<DB>, grouping: StoryGrouping, now: () => Date, log: Logger): StoryGrouper {
  let checkedAt = -Infinity;
  return createStoryGrouper(async (updated) => {
    const changes = await groupPendingItems(db, now(), grouping, updated);
    if (performance.now() - checkedAt >= STATISTICS_CHECK_MS) {
      checkedAt = performance.now();
      const analyzed = await analyzeGrownTables(db).catch((error: unknown) => {
        log.warn({ err: error }, 'could not analyze the grown tables; the planner keeps its older statistics');
        return [];
      });
      if (analyzed.length > 0) log.debug({ tables: analyzed }, 'analyzed grown tables');
    }
    return { topics: changes.topics, merged: changes.merged };
  });
}

export interface RuntimeOptions {
  /** Use this database instead of the one env names (tests); the runtime owns and closes it. */
  database?: Database | undefined;
  /**
   * On the embedded database: 'service' owns the data directory and serves it to commands
   * (a second service is refused); 'command' (default) works through a running service's
   * socket, or opens the directory itself (src/db/embedded.ts).
   */
  role?: EmbeddedRole | undefined;
  /** Fetcher hooks (tests only). */
  fetcherHooks?: FetcherTestHooks | undefined;
  /** Apply pending migrations (default true). Off: pending migrations are an error, nothing is written. */
  migrate?: boolean | undefined;
  /**
   * Sync the config file's sources into the database (default false). Only `serve` and
   * `tidings config sync` do: another command run with another FEEDS_CONFIG (or none) must
   * not disable or add the running service's sources.
   */
  syncConfig?: boolean | undefined;
  /** The clock every job reads (tests and the simulation move it); default: the system clock. */
  now?: (() => Date) | undefined;
}

/**
 * Opens the database (migrating it, and syncing config sources when asked) and builds the
 * job contexts.
 */
export async function openRuntime(env: Env, config: FeedsConfig, log: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  const database = options.database ?? (await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir, role: options.role }));
  if (database.remote) log.debug({ dataDir: env.dataDir }, 'the service holds the embedded database: working through its socket');
  const now = options.now ?? (() => new Date());
  try {
    if (options.migrate ?? true) {
      const applied = await migrateToLatest(database.db);
      if (applied.length > 0) log.info({ migrations: applied.map((m) => m.migrationName) }, 'database migrated');
    } else {
      const pending = await pendingMigrations(database.db);
      if (pending.length > 0) throw new Error(`the database is not up to date (pending migrations: ${pending.join(', ')}); run \`tidings migrate\` or start the service first`);
    }
    if (options.syncConfig) {
      const synced = await syncConfigSources(database.db, config.sources, now());
      log.info({ ...synced, database: database.kind }, 'config sources synced');
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  const fetcher = createFetcher({
    timeoutMs: config.polling.timeoutMs,
    maxBytes: config.polling.maxBytes,
    userAgent: userAgent(env.publicUrl),
    allowPrivateNetworks: config.polling.allowPrivateNetworks,
    concurrency: config.polling.concurrency,
    perHost: config.polling.perHost,
    ...options.fetcherHooks,
  });
  // Parsing runs in worker threads: every core works and the HTTP server never stalls.
  const readFeedPool = createReadFeedPool();
  const compiled = compileTopics(config.topics);
  const metrics = createMetrics();
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const pollLog = log.child({ component: 'poll' });
  const refresh: RefreshContext = {
    db: database.db,
    fetcher,
    readFeed: readFeedPool.readFeed,
    polling: config.polling,
    topics: compiled,
    stories: storyGrouper(database.db, storyGrouping(config.dedupe), now, pollLog),
    metrics,
    log: pollLog,
    owner,
    // Politeness per host goes through the database, so it holds for every process using it:
    // instances sharing Postgres, and a CLI poll beside the service on the embedded database.
    hostGate: databaseHostGate(database.db, config.polling, owner, pollLog),
    now,
  };
  const topics: TopicInfo[] = config.topics.map((t) => ({ slug: t.slug, title: t.title, description: t.description }));
  const regenerate: RegenerateContext = { db: database.db, topics, publicUrl: env.publicUrl, log: log.child({ component: 'render' }), now, metrics };
  const reclassify: ReclassifyContext = {
    db: database.db,
    topics: config.topics,
    compiled,
    retentionDays: config.retention.days,
    log: log.child({ component: 'classify' }),
    now,
  };
  const digestTopics: DigestTopic[] = config.topics.map((t) => ({ slug: t.slug, title: t.title, description: t.description, digest: t.digest }));
  const digest: DigestContext = { db: database.db, log: log.child({ component: 'digest' }), now, metrics };
  const prune: PruneContext = { db: database.db, retentionDays: config.retention.days, log: log.child({ component: 'prune' }), now };
  return {
    env,
    config,
    database,
    fetcher,
    refresh,
    regenerate,
    reclassify,
    digest,
    digestTopics,
    prune,
    metrics,
    log,
    now,
    async close() {
      await readFeedPool.close();
      await fetcher.close();
      await database.close();
    },
  };
}
