/** The commands that run the service's own work: serve, migrate, poll, config sync, digest build. */
import type { Env } from '../config/env.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import type { RefreshResult } from '../ingest/refresh-source.ts';
import { createLogger } from '../logger.ts';
import { formatTable } from '../render/text-table.ts';
import type { AppContext } from '../app-context.ts';
import { loadFeedsConfig } from '../config/load-config.ts';
import { listSources, listSourcesWithHealth } from '../store/source-reads.ts';
import { latestEndedPeriod, type DigestPeriod } from '../digest-periods.ts';
import type { Topic } from '../topic-registry.ts';
import { findDigest } from '../store/digests.ts';
import { serve } from '../main.ts';
import { NO_SOURCES, type Io } from './cli-io.ts';

export async function serveCommand(env: Env): Promise<number> {
  const service = await serve(env, loadFeedsConfig(env.feedsConfigPath), createLogger(env.logLevel, { format: env.logFormat }));
  await service.stopped;
  return 0;
}

export async function migrateCommand(env: Env, io: Io, json: boolean): Promise<number> {
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

/** The poll job (jobs/poll-feeds.ts), handed down by cli.ts. */
export type PollJob = (ctx: AppContext, options: { sourceUrl?: string | undefined }) => Promise<RefreshResult[]>;

/** The digest jobs (jobs/build-digests.ts), handed down by cli.ts. */
export interface DigestJobs {
  buildDigest(
    ctx: AppContext,
    options: { topic: Topic; period: DigestPeriod; replace: boolean },
  ): Promise<{ published: boolean; stories: number; text: string }>;
  periodForDate(topic: Topic, date: string): DigestPeriod;
}

export async function pollCommand(ctx: AppContext, pollFeeds: PollJob, io: Io, options: { json: boolean; source?: string | undefined }): Promise<number> {
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

export async function configSyncCommand(ctx: AppContext, io: Io, json: boolean): Promise<number> {
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

export async function digestBuildCommand(
  ctx: AppContext,
  { buildDigest, periodForDate }: DigestJobs,
  io: Io,
  options: { topic: string; date?: string | undefined; force: boolean; json: boolean },
): Promise<number> {
  try {
    const topics = ctx.topics.current();
    const topic = topics.bySlug.get(options.topic);
    if (!topic) throw new Error(`unknown topic "${options.topic}" (topics: ${[...topics.bySlug.keys()].join(', ') || 'none'})`);
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
