import { describe, expect, it } from 'vitest';
import { nextPollAt, type ScheduleInput } from '../../../src/ingest/poll-schedule.ts';

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
