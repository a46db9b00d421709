/**
 * The digest job: for each topic, publishes the digest of every period that ended since
 * the last one built (catching up after downtime), then re-renders the topic's digest
 * feed. Publishing is a unique insert per (topic, period), so any number of instances
 * may run it: each digest is published once and never changes afterwards.
 */
import type { TopicConfig } from '../src/config/feeds-config.ts';
import { latestEndedPeriod, periodEndingOnDate, periodsEndedBetween, type DigestPeriod } from '../src/digest-periods.ts';
import { digestHtml, digestText, digestTitle } from '../src/render/digest.ts';
import { latestDigestEnd, publishDigest, storiesForDigest } from '../src/store/digests.ts';
import { regenerateFeeds, type RegenerateContext } from './regenerate-feeds.ts';

/** After downtime, at most this many missed periods are built (the newest ones). */
export const MAX_CATCH_UP_PERIODS = 14;

export type DigestTopic = Pick<TopicConfig, 'slug' | 'title' | 'description' | 'digest'>;

export type DigestContext = RegenerateContext;

export interface DigestOptions {
  topic: DigestTopic;
  period: DigestPeriod;
  /** Rebuild a digest already published (`tidings digest build --force`). */
  replace?: boolean | undefined;
}

export interface BuiltDigest {
  topic: string;
  period: DigestPeriod;
  title: string;
  text: string;
  stories: number;
  /** False when it already existed (or the period was empty). */
  published: boolean;
}

/**
 * Builds (or, with replace, rebuilds) the digest of one period and re-renders the topic's
 * digest feed when it was published. An empty period publishes no entry.
 */
export async function buildDigest(ctx: DigestContext, options: DigestOptions): Promise<BuiltDigest> {
  const built = await publishPeriod(ctx, options.topic, options.period, options.replace ?? false);
  if (built.published) await regenerateFeeds(ctx, { topics: [options.topic.slug], kinds: ['digest'] });
  return built;
}

async function publishPeriod(ctx: DigestContext, topic: DigestTopic, period: DigestPeriod, replace: boolean): Promise<BuiltDigest> {
  const stories = await storiesForDigest(ctx.db, topic.slug, period.start, period.end, topic.digest.maxStories);
  const title = digestTitle(topic, period);
  const published = await publishDigest(
    ctx.db,
    {
      topic: topic.slug,
      periodStart: period.start,
      periodEnd: period.end,
      periodDate: period.date,
      title,
      html: stories.length > 0 ? digestHtml(title, stories) : '',
      text: stories.length > 0 ? digestText(title, stories) : '',
      // Recorded even when empty (never shown), so the period is not reconsidered later.
      storyIds: stories.map((s) => s.storyId),
      createdAt: ctx.now(),
    },
    replace,
  );
  const built = { topic: topic.slug, period, title, text: digestText(title, stories), stories: stories.length, published: published && stories.length > 0 };
  if (built.published) {
    ctx.log.info({ component: 'digest', topic: topic.slug, period: period.date, stories: stories.length }, 'digest published');
    ctx.metrics.digestsPublished.inc({ topic: topic.slug });
  }
  return built;
}

/** The periods of a topic still to build: after the last built one, else only the latest. */
export async function duePeriods(ctx: DigestContext, topic: DigestTopic): Promise<DigestPeriod[]> {
  const now = ctx.now();
  const lastEnd = await latestDigestEnd(ctx.db, topic.slug);
  // A new topic starts with the period that just ended, not a backlog of old ones.
  if (lastEnd === null) return [latestEndedPeriod(now, topic.digest)];
  return periodsEndedBetween(lastEnd, now, topic.digest, MAX_CATCH_UP_PERIODS);
}

/** Builds every due digest of a topic and re-renders its digest feed; returns the ones published by this call. */
export async function buildDueDigests(ctx: DigestContext, options: { topic: DigestTopic }): Promise<BuiltDigest[]> {
  const { topic } = options;
  const built: BuiltDigest[] = [];
  for (const period of await duePeriods(ctx, topic)) built.push(await publishPeriod(ctx, topic, period, false));
  const published = built.filter((d) => d.published);
  if (published.length > 0) await regenerateFeeds(ctx, { topics: [topic.slug], kinds: ['digest'] });
  return published;
}

/** The period ending on a local date, for `tidings digest build --date`. */
export function periodForDate(topic: DigestTopic, date: string): DigestPeriod {
  const period = periodEndingOnDate(date, topic.digest);
  if (period === null) {
    throw new Error(
      topic.digest.period === 'weekly'
        ? `${date} is not a valid date on which a weekly ${topic.slug} digest ends (they end on ${topic.digest.weekday}s)`
        : `${date} is not a valid date (expected YYYY-MM-DD)`,
    );
  }
  return period;
}
