import { describe, expect, it } from 'vitest';
import { parseFeedsConfig } from '../../src/config/load-config.ts';
import type { DigestConfig } from '../../src/config/feeds-config.ts';
import { digestCronExpression, latestEndedPeriod, localTimeToInstant, longDate, periodEndingOnDate, periodsEndedBetween } from '../../src/digest-periods.ts';

const digest = (settings: Record<string, unknown>): DigestConfig =>
  parseFeedsConfig({ topics: [{ slug: 't', title: 'T', digest: settings }] }, 'x').topics[0]!.digest;
const seoul = digest({ time: '07:00', timezone: 'Asia/Seoul' });
const newYork = digest({ time: '07:00', timezone: 'America/New_York' });
const hours = (p: { start: Date; end: Date }) => (p.end.getTime() - p.start.getTime()) / 3_600_000;

describe('digest periods', () => {
  it('ends a Seoul daily period at 07:00 KST, which is 22:00 UTC the previous day', () => {
    const period = latestEndedPeriod(new Date('2026-11-23T22:00:00Z'), seoul);
    expect(period).toEqual({ start: new Date('2026-11-22T22:00:00Z'), end: new Date('2026-11-23T22:00:00Z'), date: '2026-11-24' });
  });

  it('keeps the previous period until the local time is reached', () => {
    expect(latestEndedPeriod(new Date('2026-11-23T21:59:59Z'), seoul).date).toBe('2026-11-23');
  });

  it('lasts 23 hours on the spring-forward day and 25 on the fall-back day in New York', () => {
    const spring = periodEndingOnDate('2026-03-08', newYork)!;
    expect(spring).toMatchObject({ start: new Date('2026-03-07T12:00:00Z'), end: new Date('2026-03-08T11:00:00Z') });
    expect(hours(spring)).toBe(23);
    const fall = periodEndingOnDate('2026-11-01', newYork)!;
    expect(fall).toMatchObject({ start: new Date('2026-10-31T11:00:00Z'), end: new Date('2026-11-01T12:00:00Z') });
    expect(hours(fall)).toBe(25);
  });

  it('resolves a local time skipped by the clock change to just after the gap, and a repeated one to its first occurrence', () => {
    expect(localTimeToInstant({ year: 2026, month: 3, day: 8 }, '02:30', 'America/New_York')).toEqual(new Date('2026-03-08T07:30:00Z'));
    expect(localTimeToInstant({ year: 2026, month: 11, day: 1 }, '01:30', 'America/New_York')).toEqual(new Date('2026-11-01T05:30:00Z'));
  });

  it('covers a week ending on the configured weekday for weekly digests', () => {
    const weekly = digest({ time: '08:00', timezone: 'Asia/Seoul', period: 'weekly', weekday: 'monday' });
    const period = latestEndedPeriod(new Date('2026-11-26T00:00:00Z'), weekly); // a Thursday
    expect(period).toEqual({ start: new Date('2026-11-15T23:00:00Z'), end: new Date('2026-11-22T23:00:00Z'), date: '2026-11-23' });
    expect(periodEndingOnDate('2026-11-24', weekly)).toBeNull();
  });

  it('lists the periods missed during downtime, oldest first, at most max', () => {
    const missed = periodsEndedBetween(new Date('2026-11-20T22:00:00Z'), new Date('2026-11-24T01:00:00Z'), seoul, 10);
    expect(missed.map((p) => p.date)).toEqual(['2026-11-22', '2026-11-23', '2026-11-24']);
    expect(periodsEndedBetween(new Date('2026-01-01T00:00:00Z'), new Date('2026-11-24T01:00:00Z'), seoul, 2).map((p) => p.date)).toEqual([
      '2026-11-23',
      '2026-11-24',
    ]);
    expect(periodsEndedBetween(new Date('2026-11-23T22:00:00Z'), new Date('2026-11-24T01:00:00Z'), seoul, 10)).toEqual([]);
  });

  it('rejects impossible dates', () => {
    expect(periodEndingOnDate('2026-02-30', seoul)).toBeNull();
    expect(periodEndingOnDate('24/11/2026', seoul)).toBeNull();
  });

  it('builds the cron expression and the long date of a title', () => {
    expect(digestCronExpression(seoul)).toBe('0 7 * * *');
    expect(digestCronExpression(digest({ time: '18:30', period: 'weekly', weekday: 'friday' }))).toBe('30 18 * * 5');
    expect(longDate('2026-11-24')).toBe('Tuesday 24 November 2026');
  });
});
