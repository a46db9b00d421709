/**
 * The `tidings` command: every subcommand reads the same environment and config as the
 * service, prints a table (or JSON with --json), and exits non-zero with one line on failure.
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { createAdminApi, type AdminApi } from './admin/api.ts';
import { adminContext } from './admin/context.ts';
import { readEnv, type Env } from './config/env.ts';
import type { FeedsConfig } from './config/feeds-config.ts';
import { loadFeedsConfig } from './config/load-config.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { ConfigError } from './errors.ts';
import type { RefreshResult } from './ingest/refresh-source.ts';
import { createLogger } from './logger.ts';
import { formatTable, relativeTime } from './render/text-table.ts';
import { createAppContext, type AppContext, type AppContextOptions, type FetcherTestHooks } from './app-context.ts';
import { listSources, listSourcesWithHealth, type SourceHealth } from './store/source-reads.ts';
import { sourceState } from './admin/source-view.ts';
import { adminActions } from '../jobs/index.ts';
import { pollFeeds } from '../jobs/poll-feeds.ts';
import { buildDigest, periodForDate } from '../jobs/build-digests.ts';
import { latestEndedPeriod } from './digest-periods.ts';
import { findDigest } from './store/digests.ts';
import { serve } from './main.ts';

const USAGE = `Usage: tidings <command> [options]

Commands:
  serve                      migrate, sync feeds.config.json, serve HTTP and run the scheduler (npm start)
  poll --once [--source URL] run one poll cycle (or poll one source now) and print the results
  migrate                    apply pending database migrations
  config sync                add, update and disable sources to match feeds.config.json now
                             (serve does this at every start; no other command touches them)
  sources list               print every source with its title, topics and health
  sources add URL [--topic SLUG]... [--title TEXT]
                             fetch URL, check it is a feed, add it and store its items; for a web
                             page, print the feeds it offers
  sources remove ID          delete a source (by id or URL) and its items
  opml import FILE           add the feeds of an OPML list (folders/categories named like a topic map to it)
  opml export                print every source as OPML
  digest build --topic SLUG [--date YYYY-MM-DD] [--force]
                             build the digest of the period ending on that local date (default:
                             the latest ended period) and print it; --force rebuilds a published one

Options:
  --json                     machine-readable output
  -h, --help                 this help

Environment: DATABASE_URL (unset: embedded database in DATA_DIR, default ./data),
FEEDS_CONFIG (./feeds.config.json), PORT, HOST, PUBLIC_URL, ADMIN_TOKEN, LOG_LEVEL, LOG_FORMAT.`;

class UsageError extends Error {}

const NO_SOURCES =
  'No sources. Add some to feeds.config.json (loaded when the service starts, or by `tidings config sync`), or with `tidings sources add URL`.';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** What tests and the simulation inject: the clock and the fetcher's test hooks. */
export interface CliDeps {
  now?: () => Date;
  fetcherHooks?: FetcherTestHooks;
}

/** Runs one command; returns the exit code. */
export async function main(argv: string[], io: Io = defaultIo, environment: NodeJS.ProcessEnv = process.env, deps: CliDeps = {}): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        once: { type: 'boolean', default: false },
        source: { type: 'string' },
        topic: { type: 'string', multiple: true },
        title: { type: 'string' },
        date: { type: 'string' },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.out(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    const env = readEnv(environment);
    // Commands print their own output on stdout; logs go to stderr at warn level so they don't mix.
    const quietLog = createLogger(environment.LOG_LEVEL ? env.logLevel : 'warn', { fd: 2, format: env.logFormat });
    const open = (config: FeedsConfig, options: Pick<AppContextOptions, 'migrate' | 'syncConfig'> = {}) =>
      createAppContext(env, config, { log: quietLog, now: deps.now, fetcherHooks: deps.fetcherHooks, ...options });
    switch (`${command} ${rest[0] ?? ''}`.trim()) {
      case 'serve':
        return await serveCommand(env);
      case 'migrate':
        return await migrateCommand(env, io, values.json);
      case 'config sync':
        return await configSyncCommand(await open(loadFeedsConfig(env.feedsConfigPath), { syncConfig: true }), io, values.json);
      case 'poll':
        if (!values.once) throw new UsageError('poll needs --once (the scheduler polls continuously under `tidings serve`)');
        return await pollCommand(await open(loadFeedsConfig(env.feedsConfigPath)), io, values);
      case 'sources list':
        // Read-only: no migration, no config sync; nothing is written.
        return await sourcesListCommand(await open(loadFeedsConfig(env.feedsConfigPath), { migrate: false }), io, values.json);
      case 'sources add':
      case 'sources remove':
      case 'opml import':
      case 'opml export':
        return await adminCommand(open, loadFeedsConfig(env.feedsConfigPath), io, `${command} ${rest[0]}`, rest.slice(1), values);
      case 'digest build':
        if (values.topic?.length !== 1) throw new UsageError('digest build needs one --topic SLUG');
        return await digestBuildCommand(await open(loadFeedsConfig(env.feedsConfigPath)), io, { ...values, topic: values.topic[0]! });
      default:
        throw new UsageError(`unknown command "${[command, ...rest].join(' ')}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`tidings: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`tidings: ${error instanceof ConfigError ? error.message : ((error as Error).message ?? String(error))}`);
    return 1;
  }
}

async function serveCommand(env: Env): Promise<number> {
  const service = await serve(env, loadFeedsConfig(env.feedsConfigPath), createLogger(env.logLevel, { format: env.logFormat }));
  await service.stopped;
  return 0;
}

async function migrateCommand(env: Env, io: Io, json: boolean): Promise<number> {
  const database = await openDatabase({
    databaseUrl: env.databaseUrl,
    dataDir: env.dataDir,
    sharedBuffers: env.embeddedSharedBuffers,
    optimizeWasm: env.embeddedProfile === 'large',
  });
  try {
    const applied = (await migrateToLatest(database.db)).map((m) => m.migrationName);
    if (json) io.out(JSON.stringify({ applied }));
    else io.out(applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`);
    return 0;
  } finally {
    await database.close();
  }
}

async function pollCommand(ctx: AppContext, io: Io, options: { json: boolean; source?: string | undefined }): Promise<number> {
  try {
    // The same job the scheduler runs: it stores, groups and re-renders the topic feeds it changed.
    const results = await pollFeeds(ctx, { sourceUrl: options.source });
    if (options.source !== undefined && results.length === 0) {
      throw new Error(`no enabled source with URL ${options.source} (or another poller holds it right now)`);
    }
    if (options.json) io.out(JSON.stringify(results, null, 2));
    else if (results.length > 0) io.out(formatPollResults(results));
    else io.out((await listSources(ctx.db)).length > 0 ? 'No source is due.' : NO_SOURCES);
    return results.some((r) => r.outcome === 'failed') ? 1 : 0;
  } finally {
    await ctx.close();
  }
}

async function configSyncCommand(ctx: AppContext, io: Io, json: boolean): Promise<number> {
  try {
    // createAppContext synced; say what the database holds now.
    const sources = await listSourcesWithHealth(ctx.db, ctx.now());
    const fromFile = sources.filter((s) => s.origin === 'config');
    const summary = { config: ctx.env.feedsConfigPath, sources: fromFile.length, enabled: fromFile.filter((s) => s.enabled).length };
    io.out(json ? JSON.stringify(summary) : `Synced ${summary.config}: ${summary.sources} config sources, ${summary.enabled} enabled.`);
    return 0;
  } finally {
    await ctx.close();
  }
}

export function formatPollResults(results: RefreshResult[]): string {
  return formatTable(results, [
    { header: 'ID', value: (r) => r.sourceId },
    { header: 'URL', value: (r) => r.url, maxWidth: 60 },
    { header: 'STATUS', value: (r) => (r.outcome === 'failed' ? (r.status ?? 'error') : r.status) },
    { header: 'NEW', value: (r) => r.newItems },
    { header: 'UPDATED', value: (r) => r.updatedItems },
    { header: 'MS', value: (r) => r.durationMs },
    { header: 'ERROR', value: (r) => (r.errorCode ? `${r.errorCode}: ${r.errorMessage}` : null), maxWidth: 100 },
  ]);
}

async function sourcesListCommand(ctx: AppContext, io: Io, json: boolean): Promise<number> {
  try {
    const now = ctx.now();
    const sources = await listSourcesWithHealth(ctx.db, now);
    io.out(json ? JSON.stringify(sources, null, 2) : formatSources(sources, now));
    return 0;
  } finally {
    await ctx.close();
  }
}

function formatSources(sources: SourceHealth[], now: Date): string {
  if (sources.length === 0) return NO_SOURCES;
  return formatTable(sources, [
    { header: 'ID', value: (s) => s.id },
    { header: 'TITLE', value: (s) => s.title, maxWidth: 32 },
    { header: 'URL', value: (s) => s.url, maxWidth: 60 },
    { header: 'TOPICS', value: (s) => s.topics.join(',') || null, maxWidth: 32 },
    { header: 'STATE', value: (s) => sourceState(s, now) },
    { header: 'LAST POLL', value: (s) => relativeTime(s.last_polled_at, now) },
    { header: 'LAST OK', value: (s) => relativeTime(s.last_success_at, now) },
    // A time already past is when the source became due: the next poll cycle takes it.
    { header: 'NEXT', value: (s) => (!s.enabled ? null : s.next_poll_at <= now ? 'due now' : relativeTime(s.next_poll_at, now)) },
    { header: 'FAILS', value: (s) => s.consecutive_failures },
    { header: 'ITEMS', value: (s) => s.items_total },
    { header: '7D', value: (s) => s.items_last_7_days },
    // fullContent: articles not extracted in the last 7 days (their feed's own text stands).
    { header: 'FULL TEXT', value: (s) => (!s.full_content ? null : Number(s.full_content_failures) > 0 ? `${s.full_content_failures} failed` : 'on') },
    { header: 'ERROR', value: (s) => (s.error_code ? `${s.error_code}: ${s.error_message}` : s.disabled_reason), maxWidth: 90 },
  ]);
}

/** The admin commands: the same use-cases as the admin API, on the same database. */
async function adminCommand(
  open: (config: FeedsConfig, options?: Pick<AppContextOptions, 'migrate'>) => Promise<AppContext>,
  config: FeedsConfig,
  io: Io,
  command: string,
  args: string[],
  options: { json: boolean; topic?: string[] | undefined; title?: string | undefined },
): Promise<number> {
  const [argument, ...extra] = args;
  if (command !== 'opml export' && argument === undefined)
    throw new UsageError(`${command} needs ${command === 'opml import' ? 'a FILE' : command === 'sources add' ? 'a URL' : 'an ID'}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  // Read the file before opening the database, so a typo fails fast.
  const opml = command === 'opml import' ? readOpmlFile(argument!) : '';
  // opml export only reads.
  const ctx = await open(config, { migrate: command !== 'opml export' });
  try {
    const api = createAdminApi(adminContext(ctx, adminActions(ctx)));
    switch (command) {
      case 'sources add':
        return await sourcesAdd(api, io, argument!, options);
      case 'sources remove':
        return await sourcesRemove(api, io, argument!, options.json);
      case 'opml import':
        return opmlImportResult(io, await api.importOpml(opml), options.json);
      default:
        io.out((await api.exportOpml()).trimEnd());
        return 0;
    }
  } finally {
    await ctx.close();
  }
}

function readOpmlFile(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function sourcesAdd(
  api: AdminApi,
  io: Io,
  url: string,
  options: { json: boolean; topic?: string[] | undefined; title?: string | undefined },
): Promise<number> {
  const outcome = await api.addSource({ url, title: options.title, topics: options.topic ?? [] });
  if (options.json) io.out(JSON.stringify(outcome, null, 2));
  if (outcome.kind === 'choices') {
    if (!options.json)
      io.out(
        formatTable(outcome.choices, [
          { header: 'FEED', value: (c) => c.url, maxWidth: 100 },
          { header: 'TITLE', value: (c) => c.title, maxWidth: 60 },
          { header: 'ITEMS', value: (c) => c.itemCount },
        ]),
      );
    io.err(`tidings: ${outcome.pageUrl} is a web page, not a feed; add one of the feeds it offers (listed above)`);
    return 1;
  }
  if (outcome.kind !== 'added' || options.json) return 0;
  const { source, feed } = outcome;
  io.out(`Added source #${source.id}: ${source.title ?? feed.title ?? source.url} <${source.url}>`);
  io.out(`${feed.format}, ${feed.itemCount} items, ${source.itemsTotal} stored; topics: ${source.topics.join(', ') || 'none (items enter topics by phrase)'}
`);
  if (feed.items.length > 0) {
    io.out(
      formatTable(feed.items, [
        { header: 'PUBLISHED', value: (i) => i.publishedAt?.toISOString().slice(0, 16).replace('T', ' ') },
        { header: 'TOPICS', value: (i) => i.topics.join(',') || null },
        { header: 'TITLE', value: (i) => i.title, maxWidth: 90 },
      ]),
    );
  }
  return 0;
}

async function sourcesRemove(api: AdminApi, io: Io, idOrUrl: string, json: boolean): Promise<number> {
  let id = /^\d+$/.test(idOrUrl) ? Number(idOrUrl) : undefined;
  if (id === undefined) {
    id = (await api.listSources()).find((s) => s.url === idOrUrl)?.id;
    if (id === undefined) throw new Error(`no source with id or URL ${idOrUrl}`);
  }
  const removed = await api.removeSource(id);
  if (json) io.out(JSON.stringify(removed, null, 2));
  else
    io.out(
      `Removed source #${removed.source.id} <${removed.source.url}> and its ${removed.deletedItems} items.${removed.note ? `\nNote: ${removed.note}.` : ''}`,
    );
  return 0;
}

function opmlImportResult(io: Io, summary: Awaited<ReturnType<AdminApi['importOpml']>>, json: boolean): number {
  if (json) {
    io.out(JSON.stringify(summary, null, 2));
    return 0;
  }
  io.out(`Added ${summary.added.length}, already present ${summary.existing.length}, invalid ${summary.invalid.length}.`);
  if (summary.added.length > 0) {
    io.out(
      `\n${formatTable(summary.added, [
        { header: 'ID', value: (s) => s.id },
        { header: 'URL', value: (s) => s.url, maxWidth: 80 },
        { header: 'TOPICS', value: (s) => s.topics.join(',') || null },
      ])}`,
    );
  }
  if (summary.invalid.length > 0)
    io.out(
      `\n${formatTable(summary.invalid, [
        { header: 'INVALID', value: (i) => i.url ?? i.title, maxWidth: 80 },
        { header: 'REASON', value: (i) => i.reason, maxWidth: 100 },
      ])}`,
    );
  if (summary.unmatchedCategories.length > 0) io.out(`\nCategories matching no topic (ignored): ${summary.unmatchedCategories.join(', ')}`);
  return 0;
}

async function digestBuildCommand(
  ctx: AppContext,
  io: Io,
  options: { topic: string; date?: string | undefined; force: boolean; json: boolean },
): Promise<number> {
  try {
    const topic = ctx.topics.find((t) => t.slug === options.topic);
    if (!topic) throw new Error(`unknown topic "${options.topic}" (topics: ${ctx.topics.map((t) => t.slug).join(', ') || 'none'})`);
    const period = options.date ? periodForDate(topic, options.date) : latestEndedPeriod(ctx.now(), topic.digest);
    // The job re-renders the digest feed when it published.
    const built = await buildDigest(ctx, { topic, period, replace: options.force });
    const existing = built.published ? undefined : await findDigest(ctx.db, topic.slug, period.date);
    const status = built.published ? 'published' : existing ? 'already published (use --force to rebuild)' : 'empty period: no stories, nothing published';
    if (options.json) {
      io.out(
        JSON.stringify(
          {
            topic: topic.slug,
            date: period.date,
            start: period.start,
            end: period.end,
            status,
            stories: existing?.story_ids.length ?? built.stories,
            text: existing?.text ?? built.text,
          },
          null,
          2,
        ),
      );
    } else {
      io.out(`${topic.slug} digest for ${period.date} (${period.start.toISOString()} – ${period.end.toISOString()}): ${status}\n`);
      if (built.published || existing) io.out(existing?.text ?? built.text);
    }
    return 0;
  } finally {
    await ctx.close();
  }
}
