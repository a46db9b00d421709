/**
 * When to poll a source next: a pure function of the poll's outcome, so the policy is
 * testable without a clock or a database.
 */

export interface ScheduleInput {
  now: Date;
  outcome: 'success' | 'failure';
  /** Consecutive failures including this one (failure) or 0 (success). */
  consecutiveFailures: number;
  minIntervalSeconds: number;
  maxIntervalSeconds: number;
  /** An admin-set interval for this source: replaces the computed one on success. */
  overrideSeconds?: number | null | undefined;
  /** Publication times of the feed's items (a 200 response): how often the source publishes. */
  itemDates?: ReadonlyArray<Date | null> | undefined;
  /** Publisher hints, all lower bounds: RSS <ttl> (RSS 2.0 spec), Cache-Control max-age and
   * Expires (RFC 9111 §5.2.2.1, §5.3), Retry-After (RFC 9110 §10.2.3). */
  ttlMinutes?: number | null | undefined;
  cacheMaxAgeSeconds?: number | null | undefined;
  expires?: Date | null | undefined;
  retryAfterSeconds?: number | null | undefined;
  /** [0, 1); injectable for tests. */
  random?: () => number;
}

const JITTER = 0.1;
const WEEK_SECONDS = 7 * 86_400;

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
    const rate = input.itemDates ? publishingIntervalSeconds(input.itemDates, input.now) : null;
    seconds = withJitter(input.overrideSeconds ?? Math.min(Math.max(rate ?? min, min), max), random);
  }
  const hints = [
    input.ttlMinutes ? input.ttlMinutes * 60 : 0,
    input.cacheMaxAgeSeconds ?? 0,
    input.expires ? (input.expires.getTime() - input.now.getTime()) / 1000 : 0,
    input.retryAfterSeconds ?? 0,
  ];
  // Publisher hints may lengthen the interval, but never beyond the maximum; nor may jitter.
  seconds = Math.min(Math.max(seconds, Math.min(Math.max(...hints), max)), max);
  return new Date(input.now.getTime() + Math.round(seconds * 1000));
}
