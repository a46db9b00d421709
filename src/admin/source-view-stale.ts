/**
 * Stale sources: a source that answers fine but has published nothing new for four of its
 * usual gaps between items, and for a week at least, shows as `stale` (source-view.ts). It
 * is still polled; the state tells an admin the publisher may have stopped, or moved its feed
 * without a redirect, which no poll error would say.
 *
 * "Published nothing new" is judged by the newest item's date as the feed states it
 * (published, else updated: what the poll schedule reads), not by when Tidings first saw an
 * item: a source added long after it stopped is stale from its first poll rather than a
 * week later (its old items are all "first seen" then), Tidings' own downtime makes no source
 * look fresh or stale, and the usual gap comes from the same dates. Undated items count from
 * their first sighting. A publisher that re-dates every item at each request never looks
 * stale; items dated in the future are ignored (poll-schedule.ts, publishingRhythm).
 *
 * A pure function of the source row (newest_item_at and publishing_gap_seconds, set by every
 * 200) and the clock: listing sources reads no items for it.
 */
import type { Kysely } from 'kysely';
import type { DB, Source } from '../db/schema.ts';
import { healthySourceRhythms } from '../store/health.ts';

const DAY_SECONDS = 86_400;
/** Stale after this many usual gaps without a new item… */
export const STALE_AFTER_GAPS = 4;
/** …and never sooner than a week: a daily source is not stale after a quiet long weekend. */
export const MIN_STALE_SECONDS = 7 * DAY_SECONDS;
/**
 * The usual gap when there is none to go by (undated items, nothing published yet), and the
 * longest the week-long measure can give (one item in the week): a slower rhythm cannot be told.
 */
const LONGEST_GAP_SECONDS = 7 * DAY_SECONDS;

export type StaleInputs = Pick<Source, 'newest_item_at' | 'publishing_gap_seconds' | 'created_at'>;

/** Quiet seconds after which a source with this usual gap is stale: from 7 to 28 days. */
export function staleAfterSeconds(gapSeconds: number | null): number {
  const gap = Math.min(gapSeconds ?? LONGEST_GAP_SECONDS, LONGEST_GAP_SECONDS);
  return Math.max(STALE_AFTER_GAPS * gap, MIN_STALE_SECONDS);
}

/** When the source is stale from, unless something new appears first: quiet since its newest item, or since it was added. */
export function staleFrom(source: StaleInputs): Date {
  const quietSince = source.newest_item_at ?? source.created_at;
  return new Date(quietSince.getTime() + staleAfterSeconds(source.publishing_gap_seconds) * 1000);
}

/** Whether a source that answers fine has been quiet too long (source-view.ts checks that it answers fine). */
export function isQuietTooLong(source: StaleInputs, now: Date): boolean {
  return now.getTime() >= staleFrom(source).getTime();
}

/** Sources whose state is `stale` now (the /metrics gauge). */
export async function staleSourceCount(db: Kysely<DB>, now: Date): Promise<number> {
  return (await healthySourceRhythms(db)).filter((source) => isQuietTooLong(source, now)).length;
}
