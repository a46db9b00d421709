/**
 * Composition root of `tidings serve`: open and migrate the database, sync the config's
 * sources, re-classify if the topic rules changed, make sure every topic feed is
 * rendered, then start the HTTP server and the scheduler; stop both cleanly on
 * SIGTERM/SIGINT.
 */
import { createAdminApi } from './admin/api.ts';
import { adminContext } from './admin/context.ts';
import { staleSourceCount } from './admin/source-view-stale.ts';
import { createAppContext, type AppContext, type FetcherTestHooks } from './app-context.ts';
import type { Env } from './config/env.ts';
import type { FeedsConfig } from './config/feeds-config.ts';
import type { Database } from './db/database.ts';
import { pendingMigrations } from './db/migrate.ts';
import { createFeedCache } from './http/feed-cache.ts';
import type { Readiness } from './http/public-routes.ts';
import { buildServer } from './http/server.ts';
import { servedTopics } from './http/served-topics.ts';
import type { TopicSet } from './topic-registry.ts';
import type { WebSubHubDeps } from './http/websub-hub-routes.ts';
import type { Logger } from './logger.ts';
import { renderMetrics } from './metrics.ts';
import { renderFeed } from './render/feed-formats.ts';
import type { IndexTopic } from './render/pages.ts';
import { searchFeedDocument } from './render/search-feed.ts';
import { documentHubs, hubLinkHeader } from './render/hub-links.ts';
import { topicFeedUrls } from './render/topic-feed.ts';
import { startScheduler, type Scheduler } from './scheduler.ts';
import { findDigest, listDigests } from './store/digests.ts';
import { failingSourceCount, pingDatabase, pollLagSeconds } from './store/health.ts';
import { documentGenerations, loadDocumentGenerations } from './store/rendered-feeds.ts';
import { searchTopicEntries } from './store/search.ts';
import { topicFeedEntries } from './store/stories.ts';
import { settingSince } from './store/settings.ts';
import { archivePageStories, renderArchivePage, topicPageStories } from '../jobs/archive-pages.ts';
import { queueVerification } from './store/websub-outbox.ts';
import { hubTopics } from './websub/hub-topics.ts';
import { adminActions, DELETE_JOB, DIGEST_JOB_PREFIX, digestJobName, digestJobs, POLL_JOB, scheduledJobs, WEBSUB_JOB, websubEnabled } from '../jobs/index.ts';
import { topicChangeApplier } from '../jobs/apply-topic-changes.ts';
import { reclassifyIfRulesChanged } from '../jobs/reclassify-items.ts';
import { etagOf, regenerateFeeds, renderTopicDocuments } from '../jobs/regenerate-feeds.ts';
import { webSubCallbacks } from '../jobs/websub-subscriptions.ts';

export interface Service {
  /** Base URL the server listens on. */
  url: string;
  context: AppContext;
  /** Runs a poll cycle now (unless one is running) and waits for it. */
  pollNow(): Promise<void>;
  /** Runs every topic's digest job now and waits for them. */
  digestsNow(): Promise<void>;
  /** Loads topics changed and documents rendered elsewhere (other instances, the CLI) now, as the 5 s tick does. */
  syncFeeds(): Promise<void>;
  /** Resolves once the topic changes made here are applied (items re-classified, documents re-rendered). */
  topicsSettled(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once the service has stopped (after a signal or stop()). */
  stopped: Promise<void>;
}

const FEED_CACHE_SYNC_MS = 5_000;
const READINESS_TIMEOUT_MS = 2_000;
/** The settings row remembering since when /topics.opml has listed what it lists. */
const TOPIC_LISTING_SETTING = 'topic-listing';

async function readiness({ db }: AppContext): Promise<Readiness> {
  try {
    await pingDatabase(db, READINESS_TIMEOUT_MS);
  } catch (error) {
    return {
      ready: false,
      checks: { database: { ok: false, detail: (error as Error).message }, migrations: { ok: false, detail: 'unknown while the database is unreachable' } },
    };
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

/** The value of `make` for the topics now, made again only when they change. */
function perTopicSet<T>(context: AppContext, make: (set: TopicSet) => T): () => T {
  let made: { set: TopicSet; value: T } | undefined;
  return () => {
    const set = context.topics.current();
    if (made?.set.list !== set.list) made = { set, value: make(set) };
    return made.value;
  };
}

/** The built-in hub's endpoint: our documents are its topics; a request is verified by the WebSub job, started at once. */
function builtinHub(context: AppContext, sendNow: () => void): WebSubHubDeps {
  const topics = perTopicSet(context, (set) => hubTopics(set.list, context.publicUrl));
  return {
    isOwnTopic: (url) => topics().has(url),
    requestVerification: async (request) => {
      await queueVerification(context.db, request, context.now());
      sendNow();
    },
  };
}

/** Shorter admin tokens are accepted but easy to guess: say so at start-up. */
const MIN_ADMIN_TOKEN_LENGTH = 24;

export async function serve(env: Env, config: FeedsConfig, log: Logger, options: ServeOptions = {}): Promise<Service> {
  const context = await createAppContext(env, config, {
    log,
    database: options.database,
    fetcherHooks: options.fetcherHooks,
    syncConfig: true,
    now: options.now,
    role: 'service',
  });
  const { db } = context;
  // Each sync first notices topics changed elsewhere (one small read), then loads their documents.
  const generations = async () => {
    await context.topics.refresh();
    return documentGenerations(db);
  };
  const feedCache = createFeedCache({ generations, documents: (keys) => loadDocumentGenerations(db, keys) });
  const topicChanges = topicChangeApplier(context);
  // Documents rendered here (jobs, admin actions) reach this instance's cache at once.
  context.rendered.add(feedCache.put);
  let server: ReturnType<typeof buildServer>;
  let url: string;
  let scheduler: Scheduler | undefined;
  try {
    await reclassifyIfRulesChanged(context);
    // All topics, not only re-classified ones: titles and descriptions may have changed too.
    await regenerateFeeds(context);
    await feedCache.sync();
    const hubs = documentHubs(config.websub, env.publicUrl);
    // Every topic has a digest; the list is made again only when the topics change.
    const topics = servedTopics(
      perTopicSet(context, (set): IndexTopic[] =>
        set.list.map((t) => ({ slug: t.slug, title: t.title, description: t.description, digest: t.digest, hasDigest: true })),
      ),
    );
    const topicOf = (slug: string) => {
      const topic = topics.get(slug);
      if (!topic) throw new Error(`no topic "${slug}" (removed meanwhile)`);
      return topic;
    };
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
        const topic = topicOf(slug);
        const body = (await renderTopicDocuments(db, topic, kind, env.publicUrl, limit, hubs))[format];
        return { body, etag: etagOf(body) };
      },
      renderSearch: async (slug, format, limit, query) => {
        const topic = topicOf(slug);
        const body = renderFeed(searchFeedDocument(topic, query.text, await searchTopicEntries(db, slug, query, { limit }), env.publicUrl), format);
        return { body, etag: etagOf(body) };
      },
      renderArchivePage: async (slug, page, format) => {
        const topic = topicOf(slug);
        const rendered = await renderArchivePage(db, topic, page, format, env.publicUrl);
        return rendered.status === 'found' ? { ...rendered, etag: etagOf(rendered.body) } : rendered;
      },
      topicPageStories: (slug) => topicPageStories(db, slug),
      archivePageStories: (slug, page) => archivePageStories(db, slug, page),
      latestStories: (slug, limit) => topicFeedEntries(db, slug, limit),
      searchStories: (slug, query) => searchTopicEntries(db, slug, query, { limit: 50 }),
      documentLink: (slug, kind, format) => hubLinkHeader(hubs, topicFeedUrls(env.publicUrl, slug, kind)[format]),
      websubHub: config.websub.builtin ? builtinHub(context, () => void scheduler?.runNow(WEBSUB_JOB)) : undefined,
      findDigest: async (slug, date) => {
        const digest = await findDigest(db, slug, date);
        return digest && { title: digest.title, html: digest.html, text: digest.text, periodStart: digest.period_start, periodEnd: digest.period_end };
      },
      listDigests: (slug, limit) => listDigests(db, slug, limit),
      listingSince: (fingerprint) => settingSince(db, TOPIC_LISTING_SETTING, fingerprint, context.now()),
      readiness: () => readiness(context),
      metricsToken: env.metricsToken,
      metrics: async () => ({
        contentType: context.metrics.registry.contentType,
        body: await renderMetrics(context.metrics, {
          pollLagSeconds: () => pollLagSeconds(db, context.now()),
          sourcesFailing: () => failingSourceCount(db),
          sourcesStale: () => staleSourceCount(db, context.now()),
        }),
      }),
      // Large deletions go to the scheduler's deletion job.
      admin: {
        token: env.adminToken,
        api: createAdminApi(
          adminContext(
            context,
            adminActions(context, () => void scheduler?.runNow(DELETE_JOB), topicChanges),
          ),
        ),
        secureCookies: env.publicUrl.startsWith('https:'),
      },
      websubCallbacks: webSubCallbacks(context),
    });
    url = await server.listen({ host: env.host, port: env.port });
  } catch (error) {
    await context.close();
    const listening = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' || (error as NodeJS.ErrnoException).code === 'EACCES';
    throw listening ? new Error(`cannot listen on ${env.host}:${env.port}: ${(error as Error).message}`, { cause: error }) : error;
  }
  feedCache.start(FEED_CACHE_SYNC_MS, (error) => log.warn({ err: error }, 'feed cache sync failed; serving the last documents'));

  scheduler = startScheduler(scheduledJobs(context), log.child({ component: 'scheduler' }));
  // Topics changed (here, elsewhere, by the CLI): each one's digest job follows.
  context.topics.onChange(() => scheduler?.replace(DIGEST_JOB_PREFIX, digestJobs(context)));
  // A document changed here: its WebSub pings and deliveries are queued; send them now, not at the next tick.
  if (websubEnabled(context)) context.rendered.add(() => void scheduler?.runNow(WEBSUB_JOB));
  const digestsNow = () => Promise.all(context.topics.current().list.map((t) => scheduler.runNow(digestJobName(t.slug)))).then(() => {});
  // Poll once at start-up, then catch up on digests missed while down: the items of those
  // periods still in the sources' feeds belong in them.
  void ((options.pollAtStart ?? true) ? scheduler.runNow(POLL_JOB) : Promise.resolve()).then(digestsNow);
  log.info(
    {
      url,
      publicUrl: env.publicUrl,
      database: context.database.kind,
      socket: context.database.socketPath,
      topics: context.topics.current().list.length,
      sources: config.sources.length,
    },
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
      await topicChanges.idle();
      await context.close();
      log.info('stopped');
      resolveStopped();
    })());

  if (options.handleSignals ?? true) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop());
  }
  return {
    url,
    context,
    pollNow: () => scheduler.runNow(POLL_JOB),
    digestsNow,
    syncFeeds: () => feedCache.sync().then(() => {}),
    topicsSettled: () => topicChanges.idle(),
    stop,
    stopped,
  };
}
