import { describe, expect, it } from 'vitest';
import { effectiveDates, establishedBy, nextPollAt, publishingRhythm, type ScheduleInput } from '../../../src/ingest/poll-schedule.ts';

const now = new Date('2026-11-24T00:00:00Z');
const base: ScheduleInput = { now, outcome: 'success', consecutiveFailures: 0, minIntervalSeconds: 600, maxIntervalSeconds: 86400, random: () => 0.5 };
const delay = (input: Partial<ScheduleInput>) => (nextPollAt({ ...base, ...input }).getTime() - now.getTime()) / 1000;

describe('nextPollAt', () => {
  it('polls again after the minimum interval on success', () => {
    expect(delay({})).toBe(600);
  });

  it('adds up to ±10% jitter', () => {
    expect(delay({ random: () => 0 })).toBe(540);
    expect(delay({ random: () => 0.999999 })).toBeCloseTo(660, 0);
  });

  it('uses an admin-set interval instead of the minimum', () => {
    expect(delay({ overrideSeconds: 3600 })).toBe(3600);
  });

  it('treats RSS ttl, max-age, Expires and Retry-After as lower bounds', () => {
    expect(delay({ ttlMinutes: 60 })).toBe(3600);
    expect(delay({ cacheMaxAgeSeconds: 1800 })).toBe(1800);
    expect(delay({ expires: new Date(now.getTime() + 7200_000) })).toBe(7200);
    expect(delay({ cacheMaxAgeSeconds: 60 })).toBe(600);
  });

  it('caps publisher hints at the maximum interval', () => {
    expect(delay({ ttlMinutes: 100_000 })).toBe(86400);
  });

  it('follows how often the source publishes: half the mean gap of the last week', () => {
    const hourly = Array.from({ length: 7 * 24 }, (_, i) => new Date(now.getTime() - (i + 1) * 3600_000));
    expect(delay({ itemDates: hourly })).toBe(1800);
    const daily = Array.from({ length: 7 }, (_, i) => new Date(now.getTime() - (i + 1) * 86_400_000 + 1));
    expect(delay({ itemDates: daily })).toBe(43200);
  });

  it('keeps the publishing rate within the minimum and maximum intervals', () => {
    const burst = Array.from({ length: 5000 }, () => new Date(now.getTime() - 60_000));
    expect(delay({ itemDates: burst })).toBe(600);
    expect(delay({ itemDates: [new Date('2020-01-01T00:00:00Z')] })).toBe(86400);
  });

  it('uses the minimum interval when the feed has no dates, and the admin interval over the rate', () => {
    expect(delay({ itemDates: [null, null] })).toBe(600);
    expect(delay({ itemDates: [new Date('2020-01-01T00:00:00Z')], overrideSeconds: 900 })).toBe(900);
  });

  it('backs off exponentially on consecutive failures', () => {
    expect([1, 2, 3, 4].map((n) => delay({ outcome: 'failure', consecutiveFailures: n }))).toEqual([600, 1200, 2400, 4800]);
  });

  it('never lets jitter push past the maximum interval', () => {
    expect(delay({ outcome: 'failure', consecutiveFailures: 50, random: () => 0.999 })).toBe(86400);
  });

  it('never gives up: after reaching the maximum it keeps probing at it', () => {
    expect(delay({ outcome: 'failure', consecutiveFailures: 50 })).toBe(86400);
    expect(delay({ outcome: 'failure', consecutiveFailures: 5000 })).toBe(86400);
  });

  it('honours Retry-After on failures', () => {
    expect(delay({ outcome: 'failure', consecutiveFailures: 1, retryAfterSeconds: 5400 })).toBe(5400);
  });
});

describe('a 304 keeps what the last 200 established', () => {
  const days = (n: number) => Array.from({ length: n }, (_, i) => new Date(now.getTime() - (i + 1) * 86_400_000 + 1));
  const notModified = (established: ReturnType<typeof establishedBy>, input: Partial<ScheduleInput> = {}) => delay({ established, ...input });

  it('its RSS ttl stays a lower bound', () => {
    const established = establishedBy({ now, itemDates: days(7), ttlMinutes: 180 });
    expect(delay({ itemDates: days(7), ttlMinutes: 180 })).toBe(43200);
    expect(notModified(establishedBy({ now, itemDates: [null], ttlMinutes: 180 }), { random: () => 0 })).toBe(10800);
    expect(notModified(established)).toBe(43200);
  });

  it('its publishing rate sets the interval, with jitter, within the minimum and maximum', () => {
    const established = establishedBy({ now, itemDates: days(4) });
    expect(established).toEqual({ rateSeconds: 75600, hintSeconds: 0 });
    expect(notModified(established)).toBe(75600);
    expect(notModified(established, { random: () => 0 })).toBe(68040);
    expect(notModified(established, { maxIntervalSeconds: 36000 })).toBe(36000);
    expect(notModified(establishedBy({ now, itemDates: Array.from({ length: 5000 }, () => new Date(now.getTime() - 60_000)) }))).toBe(600);
  });

  it('a quiet source stays at the maximum interval', () => {
    const established = establishedBy({ now, itemDates: [new Date('2020-01-01T00:00:00Z')] });
    expect(Number.isInteger(established.rateSeconds)).toBe(true);
    expect(notModified(established)).toBe(86400);
  });

  it("its Cache-Control max-age and Expires stay lower bounds, as do the 304's own", () => {
    expect(notModified(establishedBy({ now, itemDates: [], cacheMaxAgeSeconds: 7200 }))).toBe(7200);
    expect(notModified(establishedBy({ now, itemDates: [], expires: new Date(now.getTime() + 5400_000) }))).toBe(5400);
    expect(notModified(establishedBy({ now, itemDates: [], cacheMaxAgeSeconds: 3600 }), { cacheMaxAgeSeconds: 7200 })).toBe(7200);
    expect(notModified(establishedBy({ now, itemDates: [], cacheMaxAgeSeconds: 7200 }), { cacheMaxAgeSeconds: 60 })).toBe(7200);
    expect(notModified(establishedBy({ now, itemDates: [] }), { expires: new Date(now.getTime() + 3600_000) })).toBe(3600);
  });

  it('an admin-set interval replaces its publishing rate', () => {
    expect(notModified(establishedBy({ now, itemDates: days(4) }), { overrideSeconds: 7200 })).toBe(7200);
  });

  it('nothing established (no 200 since the upgrade) means the minimum interval', () => {
    expect(notModified(null as never)).toBe(600);
  });
});

describe('effectiveDates', () => {
  it("takes each item's published date, else its updated date", () => {
    const a = new Date('2026-11-20T00:00:00Z');
    const b = new Date('2026-11-21T00:00:00Z');
    expect(
      effectiveDates([
        { publishedAt: a, updatedAt: b },
        { publishedAt: null, updatedAt: b },
        { publishedAt: null, updatedAt: null },
      ]),
    ).toEqual([a, b, null]);
  });
});

describe('publishingRhythm', () => {
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3600_000);

  it('takes the newest item date and the mean gap of the week up to it', () => {
    const daily = Array.from({ length: 7 }, (_, i) => hoursAgo(24 * (i + 3)));
    expect(publishingRhythm(daily, now, 0)).toEqual({ newestItemAt: hoursAgo(72), gapSeconds: 86_400 });
  });

  it('keeps the gap a stopped source had: measured back from its newest item, not from now', () => {
    const stoppedMonthsAgo = Array.from({ length: 14 }, (_, i) => hoursAgo(24 * 90 + 12 * i));
    expect(publishingRhythm(stoppedMonthsAgo, now, 0)?.gapSeconds).toBe(43_200);
  });

  it('ignores items dated after the poll', () => {
    expect(publishingRhythm([hoursAgo(-5), hoursAgo(2)], now, 0)?.newestItemAt).toEqual(hoursAgo(2));
  });

  it('dates undated items by their first sighting: now when the poll stored new ones, else nothing to record', () => {
    expect(publishingRhythm([null, null], now, 2)).toEqual({ newestItemAt: now, gapSeconds: null });
    expect(publishingRhythm([null, null], now, 0)).toBeNull();
  });
});

describe('a source subscribed for pushes', () => {
  it('is polled at the maximum interval, a safety net, whatever its publishing rate', () => {
    expect(delay({ pushSubscribed: true, itemDates: [now, now, now] })).toBe(86400);
  });
});
