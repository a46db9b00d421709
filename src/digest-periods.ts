/**
 * Digest periods in a topic's own time zone: a daily digest at 07:00 Asia/Seoul covers
 * [yesterday 07:00, today 07:00) Seoul time, whatever UTC date that falls on; across a
 * daylight-saving change a "day" lasts 23 or 25 hours. Pure functions of a clock value.
 */
import type { DigestConfig } from './config/feeds-config.ts';

/** When a topic's digest comes out: what render/ needs of the config to name periods. */
export type DigestSchedule = Pick<DigestConfig, 'period' | 'time' | 'timezone' | 'weekday'>;

export interface DigestPeriod {
  start: Date;
  end: Date;
  /** The local calendar date the period ends on (YYYY-MM-DD): the digest's name and permalink. */
  date: string;
}

interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

const WEEKDAY_INDEX: Record<DigestConfig['weekday'], number> = {
  sunday: 0,
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
};

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = partsFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partsFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock reading of an instant in a time zone. */
function wallClock(instant: Date, timeZone: string): LocalDate & { hour: number; minute: number; second: number } {
  const parts = Object.fromEntries(
    partsFormatter(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** Offset of the zone from UTC at an instant, in ms (Seoul: +9 h). */
function zoneOffset(instant: Date, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant a local date and time occurs in a zone. A time skipped by a spring-forward
 * gap resolves to the instant just after the gap (02:30 → 03:30 in New York); a time
 * repeated at fall-back resolves to its first occurrence.
 */
export function localTimeToInstant(date: LocalDate, time: string, timeZone: string): Date {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const asUtc = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  // Offsets before and after any transition near that time; try the earlier one first.
  const candidates = [zoneOffset(new Date(asUtc - 86_400_000), timeZone), zoneOffset(new Date(asUtc + 86_400_000), timeZone)].sort((a, b) => b - a);
  for (const offset of candidates) {
    const instant = new Date(asUtc - offset);
    const w = wallClock(instant, timeZone);
    if (w.hour === hour && w.minute === minute && w.day === date.day) return instant;
  }
  // In a gap: the wall time never happens; take the later offset (clocks already moved on).
  return new Date(asUtc - candidates[1]!);
}

function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function weekday(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

function isoDate(date: LocalDate): string {
  return `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

export function parseIsoDate(text: string): LocalDate | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  return isoDate(addDays(date, 0)) === text ? date : null;
}

/** Is `date` a day on which a period of this config ends? */
function isPeriodEndDay(date: LocalDate, digest: DigestConfig): boolean {
  return digest.period === 'daily' || weekday(date) === WEEKDAY_INDEX[digest.weekday];
}

function periodEndingOn(date: LocalDate, digest: DigestConfig): DigestPeriod {
  const length = digest.period === 'daily' ? 1 : 7;
  return {
    start: localTimeToInstant(addDays(date, -length), digest.time, digest.timezone),
    end: localTimeToInstant(date, digest.time, digest.timezone),
    date: isoDate(date),
  };
}

/** The period whose end is the latest one at or before `now`. */
export function latestEndedPeriod(now: Date, digest: DigestConfig): DigestPeriod {
  const today = wallClock(now, digest.timezone);
  for (let back = 0; back <= 8; back++) {
    const day = addDays(today, -back);
    if (!isPeriodEndDay(day, digest)) continue;
    const period = periodEndingOn(day, digest);
    if (period.end.getTime() <= now.getTime()) return period;
  }
  throw new Error('unreachable: a period ends at least once every 8 days');
}

/** The period that ends on a given local date (YYYY-MM-DD), or null when none ends that day. */
export function periodEndingOnDate(dateText: string, digest: DigestConfig): DigestPeriod | null {
  const date = parseIsoDate(dateText);
  if (date === null || !isPeriodEndDay(date, digest)) return null;
  return periodEndingOn(date, digest);
}

/**
 * Periods that ended after `after` and at or before `now`, oldest first, at most `max`
 * (the newest ones): what a builder that was down has to catch up on.
 */
export function periodsEndedBetween(after: Date, now: Date, digest: DigestConfig, max: number): DigestPeriod[] {
  const periods: DigestPeriod[] = [];
  let period = latestEndedPeriod(now, digest);
  while (period.end.getTime() > after.getTime() && periods.length < max) {
    periods.unshift(period);
    period = latestEndedPeriod(new Date(period.end.getTime() - 1), digest);
  }
  return periods;
}

/** node-cron expression firing at the end of each period (run with the config's time zone). */
export function digestCronExpression(digest: DigestConfig): string {
  const [hour, minute] = digest.time.split(':').map(Number);
  return `${minute} ${hour} * * ${digest.period === 'daily' ? '*' : WEEKDAY_INDEX[digest.weekday]}`;
}

/** "Tuesday 24 November 2026" for the local date a period ends on. */
export function longDate(dateText: string): string {
  const date = parseIsoDate(dateText)!;
  const instant = new Date(Date.UTC(date.year, date.month - 1, date.day, 12));
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}`;
}
