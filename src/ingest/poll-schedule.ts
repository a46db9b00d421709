/**
 * When to poll a source next: a pure function of the poll's outcome, so the policy is
 * testable without a clock or a database.
 */
import type { Established, PublishingRhythm } from '../model.ts';

export interface ScheduleInput {
  now: Date;
  outcome: 'success' | 'failure';
  /** Consecutive failures including this one (failure) or 0 (success). */
  consecutiveFailures: number;
  minIntervalSeconds: number;
  maxIntervalSeconds: number;
  /** An admin-set interval for this source: replaces the computed one on success. */
  overrideSeconds?: number | null | undefined;
  /**
   * The source's WebSub pushes are verified to arrive (push-subscriptions.ts): polling is
   * only a safety net, at the maximum interval (an admin's override still wins).
   */
  pushSubscribed?: boolean | undefined;
  /** Publication times of the feed's items (a 200 response): how often the source publishes. */
  itemDates?: ReadonlyArray<Date | null> | undefined;
  /** Publisher hints, all lower bounds: RSS <ttl> (RSS 2.0 spec), Cache-Control max-age and
   * Expires (RFC 9111 §5.2.2.1, §5.3), Retry-After (RFC 9110 §10.2.3). */
  ttlMinutes?: number | null | undefined;
  cacheMaxAgeSeconds?: number | null | undefined;
  expires?: Date | null | undefined;
  retryAfterSeconds?: number | null | undefined;
  /**
   * What the source's last 200 established (a 304): a 304 carries no items and no <ttl>, so
   * without it every 304 would fall back to the minimum interval.
   */
  established?: Established | null | undefined;
  /** [0, 1); injectable for tests. */
  random?: () => number;
}

const JITTER = 0.1;
const WEEK_SECONDS = 7 * 86_400;
/** The largest integer column value; a quiet source's infinite interval is stored as it. */
const MAX_STORED_SECONDS = 2 ** 31 - 1;

/**
 * The interval a source's publishing rate calls for: half the mean gap between its items
 * of the last week, so on average a new item waits half a gap. Null when the feed gives no
 * recent dates to judge by (then the minimum interval applies).
 */
export function publishingIntervalSeconds(itemDates: ReadonlyArray<Date | null>, now: Date): number | null {
  const weekAgo = now.getTime() - WEEK_SECONDS * 1000;
  const recent = itemDates.filter((d): d is Date => d !== null && d.getTime() >= weekAgo && d.getTime() <= now.getTime()).length;
  if (itemDates.every((d) => d === null)) return null;
  // No item this week: the source is quiet; probe it at the maximum interval.
  if (recent === 0) return Number.POSITIVE_INFINITY;
  return WEEK_SECONDS / recent / 2;
}

/**
 * The newest item's date and the mean gap between items in the week up to it: the publishing
 * interval above doubled (a gap, not half of one), measured back from the newest item rather
 * than from now. From now, it grows as a source goes quiet, and turns infinite a week after its
 * last item, so a source that stopped would never look overdue; from the newest item it stays
 * as the source last published. Items dated after `now` are left out (a clock or a typo).
 * Undated items are dated by their first sighting, as the store dates them: a poll that stored
 * `newItems` makes `now` the newest; one that stored none has nothing to say (null).
 */
export function publishingRhythm(itemDates: ReadonlyArray<Date | null>, now: Date, newItems: number): PublishingRhythm | null {
  const dated = itemDates.filter((d): d is Date => d !== null && d.getTime() <= now.getTime());
  if (dated.length === 0) return newItems > 0 ? { newestItemAt: now, gapSeconds: null } : null;
  const newest = dated.reduce((a, b) => (b.getTime() > a.getTime() ? b : a));
  // Finite: the newest item is within the week up to itself.
  return { newestItemAt: newest, gapSeconds: storable(2 * publishingIntervalSeconds(dated, newest)!) };
}

/**
 * The date that says when an item appeared: its published date, else its updated date (Atom
 * requires only <updated>, RFC 4287 §4.1.2, and many Atom feeds carry nothing else).
 */
export function effectiveDates(items: ReadonlyArray<{ publishedAt: Date | null; updatedAt: Date | null }>): Array<Date | null> {
  return items.map((item) => item.publishedAt ?? item.updatedAt);
}

function storable(seconds: number): number {
  return Math.min(Math.max(Math.round(seconds), 0), MAX_STORED_SECONDS);
}

/** What a 200 with these items and headers establishes (see Established). */
export function establishedBy(input: Pick<ScheduleInput, 'now' | 'itemDates' | 'ttlMinutes' | 'cacheMaxAgeSeconds' | 'expires'>): Established {
  const rate = input.itemDates ? publishingIntervalSeconds(input.itemDates, input.now) : null;
  return { rateSeconds: rate === null ? null : storable(rate), hintSeconds: storable(Math.max(...responseHints(input))) };
}

/** The response's own publisher hints, in seconds from now (0 when absent). */
function responseHints(input: Pick<ScheduleInput, 'now' | 'ttlMinutes' | 'cacheMaxAgeSeconds' | 'expires'>): number[] {
  return [
    input.ttlMinutes ? input.ttlMinutes * 60 : 0,
    input.cacheMaxAgeSeconds ?? 0,
    input.expires ? (input.expires.getTime() - input.now.getTime()) / 1000 : 0,
  ];
}

/** ±10% so sources added together drift apart instead of hitting one host in lockstep. */
function withJitter(seconds: number, random: () => number): number {
  return seconds * (1 - JITTER + 2 * JITTER * random());
}

export function nextPollAt(input: ScheduleInput): Date {
  const random = input.random ?? Math.random;
  const { minIntervalSeconds: min, maxIntervalSeconds: max } = input;
  let seconds: number;
  if (input.outcome === 'failure') {
    // Exponential backoff that never gives up: after reaching the maximum, keep probing at it.
    const exponent = Math.min(Math.max(input.consecutiveFailures - 1, 0), 30);
    seconds = withJitter(Math.min(min * 2 ** exponent, max), random);
  } else {
    // A 200 judges by its own items; a 304 by what the last 200 established.
    const rate = input.itemDates ? publishingIntervalSeconds(input.itemDates, input.now) : (input.established?.rateSeconds ?? null);
    const computed = input.pushSubscribed ? max : Math.min(Math.max(rate ?? min, min), max);
    seconds = withJitter(input.overrideSeconds ?? computed, random);
  }
  const hints = [...responseHints(input), input.established?.hintSeconds ?? 0, input.retryAfterSeconds ?? 0];
  // Publisher hints may lengthen the interval, but never beyond the maximum; nor may jitter.
  seconds = Math.min(Math.max(seconds, Math.min(Math.max(...hints), max)), max);
  return new Date(input.now.getTime() + Math.round(seconds * 1000));
}
