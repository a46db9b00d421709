/**
 * Every job, as the scheduler runs it and as the admin use-cases call it. A job is a
 * `(ctx, options)` function over the app context (src/app-context.ts) that re-renders what
 * it changed before it returns, so the scheduler, the CLI and the admin API run the same
 * code. Adding a job: its file here, one entry in scheduledJobs (docs/architecture.md).
 */
import type { AdminActions } from '../src/admin/context.ts';
import type { AppContext } from '../src/app-context.ts';
import { digestCronExpression } from '../src/digest-periods.ts';
import type { Job } from '../src/scheduler.ts';
import { topicChangeApplier, type TopicChangeApplier } from './apply-topic-changes.ts';
import { buildDueDigests } from './build-digests.ts';
import { deleteMarkedSources } from './delete-sources.ts';
import { pollFeeds } from './poll-feeds.ts';
import { pruneItems } from './prune-items.ts';
import { reclassifyItems } from './reclassify-items.ts';
import { regenerateFeeds } from './regenerate-feeds.ts';
import { vacuumTables } from './vacuum-tables.ts';
import { sendWebSubRequests } from './websub-deliveries.ts';
import { renewWebSubSubscriptions } from './websub-subscriptions.ts';

/** Retention runs daily at a quiet hour (server time); each batch is a short transaction. */
const PRUNE_SCHEDULE = '17 4 * * *';
/** The embedded database's stand-in for autovacuum (vacuum-tables.ts): hourly, off the poll's minute. */
const VACUUM_SCHEDULE = '41 * * * *';
/** Sources an admin removed; every minute too, so a deletion cut short by a restart resumes. */
const DELETE_SCHEDULE = '30 * * * * *';
/** WebSub pings and deliveries: every 5 s (and at once after a local regeneration, src/main.ts), so readers hear of a change in seconds. */
const WEBSUB_SCHEDULE = '*/5 * * * * *';

export const POLL_JOB = 'poll-feeds';
export const DELETE_JOB = 'delete-sources';
export const WEBSUB_JOB = 'websub-requests';
/** WebSub hub requests due (subscribe, renew, unsubscribe): every minute, so a paused source is unsubscribed soon. */
const WEBSUB_SUBSCRIPTIONS_SCHEDULE = '45 * * * * *';

export const WEBSUB_SUBSCRIPTIONS_JOB = 'websub-subscriptions';
export const DIGEST_JOB_PREFIX = 'digest:';
export const digestJobName = (slug: string): string => `${DIGEST_JOB_PREFIX}${slug}`;

/** The jobs `tidings serve` schedules. */
export function scheduledJobs(ctx: AppContext): Job[] {
  return [
    { name: POLL_JOB, schedule: ctx.config.polling.schedule, run: (signal) => pollFeeds(ctx, { signal }) },
    { name: DELETE_JOB, schedule: DELETE_SCHEDULE, run: (signal) => deleteMarkedSources(ctx, { signal }) },
    { name: WEBSUB_SUBSCRIPTIONS_JOB, schedule: WEBSUB_SUBSCRIPTIONS_SCHEDULE, run: (signal) => renewWebSubSubscriptions(ctx, { signal }) },
    { name: 'prune-items', schedule: PRUNE_SCHEDULE, run: (signal) => pruneItems(ctx, { signal }) },
    ...(ctx.database.kind === 'pglite' ? [{ name: 'vacuum-tables', schedule: VACUUM_SCHEDULE, run: () => vacuumTables(ctx) }] : []),
    ...(websubEnabled(ctx) ? [{ name: WEBSUB_JOB, schedule: WEBSUB_SCHEDULE, run: (signal: AbortSignal) => sendWebSubRequests(ctx, { signal }) }] : []),
    ...digestJobs(ctx),
  ];
}

/**
 * One job per topic, in the topic's time zone, a few seconds after each period ends. The
 * topics change while serving (src/topic-registry.ts): src/main.ts hands the scheduler these
 * again on each change, and a run reads its topic as it is then (its title names the digest).
 */
export function digestJobs(ctx: AppContext): Job[] {
  return ctx.topics.current().list.map(({ slug, digest }) => ({
    name: digestJobName(slug),
    schedule: `5 ${digestCronExpression(digest)}`,
    timezone: digest.timezone,
    run: async () => {
      const topic = ctx.topics.current().bySlug.get(slug);
      return topic ? buildDueDigests(ctx, { topic }) : [];
    },
  }));
}

/** Whether WebSub requests are ever queued here: hubs to ping, or the built-in hub. */
export function websubEnabled(ctx: Pick<AppContext, 'config'>): boolean {
  return ctx.config.websub.hubs.length > 0 || ctx.config.websub.builtin;
}

/**
 * The jobs an admin action runs (src/admin/ calls these, never jobs/ directly).
 * `deleteInBackground` starts the scheduler's deletion job; without it (the CLI) a
 * deletion runs before the answer. `topicChanges`: the service's applier, whose work the
 * answers do not wait for; without it (the CLI) a topic change is applied before the answer.
 */
export function adminActions(ctx: AppContext, deleteInBackground?: () => void, topicChanges?: TopicChangeApplier): AdminActions {
  const topics = topicChanges ?? topicChangeApplier(ctx);
  return {
    applyTopicChange: (change) => topics.apply(change),
    topicChangesInBackground: topicChanges !== undefined,
    pollSource: (url, fetcher) => pollFeeds(fetcher ? { ...ctx, fetcher } : ctx, { sourceUrl: url }),
    reclassifySources: (sourceIds) => reclassifyItems(ctx, { sourceIds }),
    deleteMarkedSource: (id) => deleteMarkedSources(ctx, { only: id }),
    regenerate: (topics) => regenerateFeeds(ctx, { topics }),
    deleteInBackground,
  };
}
