/**
 * The app context: the long-lived pieces every command, job and request handler needs,
 * built once from env + config and passed down (docs/architecture.md). `serve`, every CLI
 * command and the test helpers build it here, so they all run with the same wiring; jobs
 * are `(ctx, options)` functions over it (the jobs folder), and nothing in it knows about jobs.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import packageJson from '../package.json' with { type: 'json' };
import type { Env } from './config/env.ts';
import type { FeedsConfig, PollingConfig } from './config/feeds-config.ts';
import { checkSourcePasswords } from './config/source-passwords.ts';
import { openDatabase, type Database, type EmbeddedRole } from './db/database.ts';
import { migrateToLatest, pendingMigrations } from './db/migrate.ts';
import type { DB } from './db/schema.ts';
import { coalesceCalls } from './ingest/coalesce-calls.ts';
import { createFetcher, createOneShotRequester, type Fetcher, type FetcherOptions, type OneShotRequester } from './ingest/fetch/index.ts';
import { createHostGate, type HostGate, type HostGateOptions } from './ingest/host-slots.ts';
import { createReadFeedPool } from './ingest/read-feed-pool.ts';
import type { ExtractArticle } from './ingest/full-content.ts';
import type { PollOutcomes, ReadFeed } from './ingest/refresh-source.ts';
import { createStoryGrouper, storyGrouping, type StoryGrouper, type StoryGrouping } from './dedupe/index.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { ensureHostSlots, releaseHostSlots, tryAcquireHostSlots, type SlotRelease, type SlotRequest } from './store/host-politeness.ts';
import { recordPollEvents, type NewPollEvent } from './store/poll-events.ts';
import type { DocumentGeneration } from './store/rendered-feeds.ts';
import { syncConfigSources } from './store/config-sources.ts';
import { syncConfigTopics } from './store/topics.ts';
import { createTopicRegistry, type TopicRegistry } from './topic-registry.ts';
import { recordNotModified, type NotModifiedPoll } from './store/poll-outcomes.ts';
import { groupPendingItems } from './store/story-assignment.ts';
import { analyzeGrownTables } from './store/table-statistics.ts';

export const VERSION: string = packageJson.version;

export interface AppContext {
  env: Env;
  config: FeedsConfig;
  /** The database handle (its kind, socket, close); `db` is its query builder. */
  database: Database;
  db: Kysely<DB>;
  /** The topics as they are now, with their rules compiled (stored in the database, live: src/topic-registry.ts). */
  topics: TopicRegistry;
  /** The base URL of the published documents (PUBLIC_URL). */
  publicUrl: string;
  /** Feed requests, through the SSRF guard. */
  fetcher: Pick<Fetcher, 'fetchFeed'>;
  /** Single requests that are not feed fetches (WebSub pings, deliveries, hub subscriptions), behind the same SSRF guard. */
  oneShotRequests: OneShotRequester;
  /** Decode, parse and normalize a fetched feed (worker threads under `serve` and the CLI). */
  readFeed: ReadFeed;
  /** The article of an item's page, for sources with fullContent (the same worker threads). */
  extractArticle: ExtractArticle;
  /** Puts committed items into stories, batched across concurrent polls (src/dedupe/grouping-runs.ts). */
  stories: StoryGrouper;
  /**
   * Per-host slots and spacing shared with every process on the database. Unset: the
   * fetcher's in-process per-host cap is the only limit (some tests).
   */
  hostGate?: HostGate | undefined;
  metrics: Metrics;
  log: Logger;
  now: () => Date;
  /** Lease owner name of this process's polls. */
  owner: string;
  /** Sources this context's polls claimed and have not finished (the poll job). */
  claims: Set<number>;
  /** Where polls record 304s and poll events, batched across concurrent polls. */
  outcomes: PollOutcomes;
  /** Told about every document generation rendered here, after its commit (the serving cache). */
  rendered: RenderedListeners;
  close(): Promise<void>;
}

export interface RenderedListeners {
  add(listener: (doc: DocumentGeneration) => void): void;
  notify(doc: DocumentGeneration): void;
}

/** One statement for the 304s (and one for the events) of the polls that end together. */
function pollOutcomes(db: Kysely<DB>): PollOutcomes {
  const notModified = coalesceCalls(async (polls: NotModifiedPoll[]) => {
    await recordNotModified(db, polls);
    return polls.map(() => undefined);
  });
  const event = coalesceCalls(async (events: NewPollEvent[]) => {
    await recordPollEvents(db, events);
    return events.map(() => undefined);
  });
  return { notModified, event };
}

function renderedListeners(): RenderedListeners {
  const listeners = new Set<(doc: DocumentGeneration) => void>();
  return {
    add: (listener) => void listeners.add(listener),
    notify: (doc) => {
      for (const listener of listeners) listener(doc);
    },
  };
}

/** How long a claim lasts: well beyond one poll's time budget, so only a dead poller loses it. */
export function leaseSeconds(timeoutMs: number): number {
  return Math.max(300, Math.ceil((timeoutMs * 3) / 1000));
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
export function databaseHostGate(
  db: Kysely<DB>,
  polling: PollingConfig,
  owner: string,
  log: Logger,
  overrides: Partial<Pick<HostGateOptions, 'maxWaitMs' | 'retry'>> = {},
): HostGate {
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
    spacingMs: polling.hostSpacing * 1000,
    // Half the source lease: a poll that waited this long still ends well before its claim lapses.
    maxWaitMs: (leaseSeconds(polling.timeoutMs) * 1000) / 2,
    log,
    ...overrides,
  });
}

/** How often, at most, the grouper checks whether tables outgrew their planner statistics. */
const STATISTICS_CHECK_MS = 2000;

/**
 * The grouper every poll of this process shares (see src/dedupe/grouping-runs.ts). Its runs are where
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

export interface AppContextOptions {
  /** Use this database instead of the one env names (tests); the context owns and closes it. */
  database?: Database | undefined;
  /**
   * On the embedded database: 'service' owns the data directory and serves it to commands
   * (a second service is refused); 'command' (default) works through a running service's
   * socket, or opens the directory itself (src/db/embedded.ts).
   */
  role?: EmbeddedRole | undefined;
  /** Apply pending migrations (default true). Off: pending migrations are an error, nothing is written. */
  migrate?: boolean | undefined;
  /**
   * Sync the config file's sources into the database (default false). Only `serve` and
   * `tidings config sync` do: another command run with another FEEDS_CONFIG (or none) must
   * not disable or add the running service's sources.
   */
  syncConfig?: boolean | undefined;
  /** Default: a logger at env's LOG_LEVEL. */
  log?: Logger | undefined;
  /** The clock every job reads (tests and the simulation move it); default: the system clock. */
  now?: (() => Date) | undefined;
  /** Fetcher hooks (tests only). */
  fetcherHooks?: FetcherTestHooks | undefined;
  /** Read feeds in this process instead of worker threads (tests); articles are then extracted in this process too. */
  readFeed?: ReadFeed | undefined;
  /** false: no database host gate, only the fetcher's in-process per-host cap (tests). */
  hostGate?: false | undefined;
  /** Lease owner name (default: host, pid and a random suffix). */
  owner?: string | undefined;
}

/** Opens the database (migrating it, and syncing config sources when asked) and builds the context. */
export async function createAppContext(env: Env, config: FeedsConfig, options: AppContextOptions = {}): Promise<AppContext> {
  // Before anything opens: a config source without its password stops start-up, naming both.
  if (options.syncConfig) checkSourcePasswords(config, env.lookupVariable, env.feedsConfigPath);
  const log = options.log ?? createLogger(env.logLevel, { format: env.logFormat });
  const database =
    options.database ??
    (await openDatabase({
      databaseUrl: env.databaseUrl,
      dataDir: env.dataDir,
      role: options.role,
      sharedBuffers: env.embeddedSharedBuffers,
      optimizeWasm: env.embeddedProfile === 'large',
    }));
  if (database.remote) log.debug({ dataDir: env.dataDir }, 'the service holds the embedded database: working through its socket');
  const now = options.now ?? (() => new Date());
  try {
    if (options.migrate ?? true) {
      const applied = await migrateToLatest(database.db);
      if (applied.length > 0) log.info({ migrations: applied.map((m) => m.migrationName) }, 'database migrated');
    } else {
      const pending = await pendingMigrations(database.db);
      if (pending.length > 0)
        throw new Error(`the database is not up to date (pending migrations: ${pending.join(', ')}); run \`tidings migrate\` or start the service first`);
    }
    if (options.syncConfig) {
      // Topics first: the sources name them.
      const topics = await syncConfigTopics(database.db, config.topics, now());
      const synced = await syncConfigSources(database.db, config.sources, now());
      log.info({ ...synced, topics, database: database.kind }, 'config sources and topics synced');
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  const context = buildAppContext(env, config, database, { ...options, log, now });
  try {
    await context.topics.reload();
  } catch (error) {
    await context.close();
    throw error;
  }
  return context;
}

/**
 * The context on a database already open and migrated (the test helpers' entry: same
 * wiring, their own database and clock).
 */
export function buildAppContext(env: Env, config: FeedsConfig, database: Database, options: AppContextOptions = {}): AppContext {
  const log = options.log ?? createLogger(env.logLevel, { format: env.logFormat });
  const now = options.now ?? (() => new Date());
  const fetcher = createFetcher({
    timeoutMs: config.polling.timeoutMs,
    maxBytes: config.polling.maxBytes,
    userAgent: userAgent(env.publicUrl),
    allowPrivateNetworks: config.polling.allowPrivateNetworks,
    concurrency: config.polling.concurrency,
    perHost: config.polling.perHost,
    ...options.fetcherHooks,
  });
  const oneShotRequests = createOneShotRequester({
    timeoutMs: config.polling.timeoutMs,
    userAgent: userAgent(env.publicUrl),
    allowPrivateNetworks: config.polling.allowPrivateNetworks,
    ...options.fetcherHooks,
  });
  // Parsing runs in worker threads: every core works and the HTTP server never stalls.
  const readFeedPool = options.readFeed ? null : createReadFeedPool();
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const pollLog = log.child({ component: 'poll' });
  return {
    env,
    config,
    database,
    db: database.db,
    // The config file's until reload() reads the database (createAppContext does; tests may).
    topics: createTopicRegistry(database.db, config.topics),
    publicUrl: env.publicUrl,
    fetcher,
    oneShotRequests,
    readFeed: options.readFeed ?? readFeedPool!.readFeed,
    // Without worker threads (tests), on this thread; loaded on first use: linkedom and
    // Readability are megabytes of code a service that reads no articles never needs.
    extractArticle: readFeedPool ? readFeedPool.extractArticle : async (task) => (await import('./ingest/extract-article.ts')).extractArticle(task),
    stories: storyGrouper(database.db, storyGrouping(config.dedupe), now, pollLog),
    // Politeness per host goes through the database, so it holds for every process using it:
    // instances sharing Postgres, and a CLI poll beside the service on the embedded database.
    hostGate: options.hostGate === false ? undefined : databaseHostGate(database.db, config.polling, owner, pollLog),
    metrics: createMetrics(),
    log,
    now,
    owner,
    claims: new Set(),
    outcomes: pollOutcomes(database.db),
    rendered: renderedListeners(),
    async close() {
      await readFeedPool?.close();
      await fetcher.close();
      await oneShotRequests.close();
      await database.close();
    },
  };
}
