import { describe, expect, it } from 'vitest';
import { parseFeedsConfig } from '../../../src/config/load-config.ts';
import type { DigestConfig } from '../../../src/config/feeds-config.ts';
import { periodEndingOnDate } from '../../../src/digest-periods.ts';
import { digestPeriodLabel, digestScheduleText } from '../../../src/render/digest-period-label.ts';

const digest = (settings: Record<string, unknown>): DigestConfig =>
  parseFeedsConfig({ topics: [{ slug: 't', title: 'T', digest: settings }] }, 'x').topics[0]!.digest;
/** The label of the period a config ends on a local date. */
const labelOf = (date: string, settings: Record<string, unknown>) => {
  const config = digest(settings);
  return digestPeriodLabel(periodEndingOnDate(date, config)!, config.timezone);
};

describe('digestPeriodLabel', () => {
  it('writes a Seoul daily period in Seoul time: the Wednesday digest holds Tuesday 07:00 to Wednesday 07:00 KST', () => {
    // 2026-11-30T22:00Z to 2026-12-01T22:00Z, the instants the entry used to show.
    expect(labelOf('2026-12-02', { time: '07:00', timezone: 'Asia/Seoul' })).toBe('Tuesday 1 December, 07:00 – Wednesday 2 December, 07:00 KST');
  });

  it('writes a UTC period in UTC', () => {
    expect(labelOf('2026-12-02', { time: '07:00' })).toBe('Tuesday 1 December, 07:00 – Wednesday 2 December, 07:00 UTC');
  });

  it('names the zone at each end when summer time starts within the period (Berlin)', () => {
    // Clocks go forward in Berlin at 02:00 on Sunday 29 March 2026: a 23-hour day.
    expect(labelOf('2026-03-29', { time: '08:00', timezone: 'Europe/Berlin' })).toBe('Saturday 28 March, 08:00 CET – Sunday 29 March, 08:00 CEST');
  });

  it('names the zone once when both ends share it (Berlin in summer)', () => {
    expect(labelOf('2026-07-01', { time: '08:00', timezone: 'Europe/Berlin' })).toBe('Tuesday 30 June, 08:00 – Wednesday 1 July, 08:00 CEST');
  });

  it('spans the whole week of a weekly digest', () => {
    expect(labelOf('2026-11-30', { time: '08:00', timezone: 'Europe/Berlin', period: 'weekly', weekday: 'monday' })).toBe(
      'Monday 23 November, 08:00 – Monday 30 November, 08:00 CET',
    );
  });

  it('writes the years when a weekly period spans New Year', () => {
    expect(labelOf('2027-01-04', { time: '07:00', timezone: 'Asia/Seoul', period: 'weekly', weekday: 'monday' })).toBe(
      'Monday 28 December 2026, 07:00 – Monday 4 January 2027, 07:00 KST',
    );
  });

  it("uses the US abbreviations ICU knows (New York's fall-back week)", () => {
    expect(labelOf('2026-11-02', { time: '07:00', timezone: 'America/New_York', period: 'weekly', weekday: 'monday' })).toBe(
      'Monday 26 October, 07:00 EDT – Monday 2 November, 07:00 EST',
    );
  });

  it('writes the offset for a zone without an unambiguous abbreviation (Shanghai: CST is also US Central)', () => {
    expect(labelOf('2026-12-02', { time: '07:00', timezone: 'Asia/Shanghai' })).toBe('Tuesday 1 December, 07:00 – Wednesday 2 December, 07:00 UTC+8');
  });

  it('writes the offset on a date the abbreviation does not fit (Pyongyang on UTC+8:30 in 2015-2018, not KST)', () => {
    expect(labelOf('2016-12-02', { time: '07:00', timezone: 'Asia/Pyongyang' })).toBe('Thursday 1 December, 07:00 – Friday 2 December, 07:00 UTC+8:30');
  });
});

describe('digestScheduleText', () => {
  it('says when a daily or weekly digest comes out, naming the zone', () => {
    expect(digestScheduleText(digest({ time: '07:00', timezone: 'Asia/Seoul' }))).toBe('daily at 07:00 Asia/Seoul time');
    expect(digestScheduleText(digest({ time: '08:30', timezone: 'Europe/Berlin', period: 'weekly', weekday: 'monday' }))).toBe(
      'weekly on Monday at 08:30 Europe/Berlin time',
    );
    expect(digestScheduleText(digest({}))).toBe('daily at 07:00 UTC');
  });
});
