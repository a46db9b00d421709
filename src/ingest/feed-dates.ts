/**
 * Feed dates (normalize's dates): RFC 822/1123/5322 dates as RSS writes them, and ISO 8601 /
 * RFC 3339 / W3CDTF dates as Atom and Dublin Core write them, read as UTC instants or null,
 * never a guess.
 */
/**
 * A feed date as a UTC instant, or null. Accepts RFC 822/1123/5322 dates (named and numeric
 * zones, optional weekday and seconds, two-digit years) and ISO 8601 / RFC 3339 / W3CDTF dates
 * (fractional seconds, lower-case t/z, a space for T). A missing zone means `timeZone` (an
 * IANA name: the source's, for outlets that write local times without a zone), else UTC.
 * Impossible dates (31 Feb) and unknown zone names are null.
 */
export function parseFeedDate(raw: string, timeZone?: string | null): Date | null {
  const text = raw.trim().replace(/\s*\([^()]{0,40}\)$/, ''); // RFC 5322 trailing comment: "+0900 (KST)"
  if (text === '' || text.length > 64) return null;
  const local = timeZone && timeZone !== 'UTC' ? timeZone : null;
  return parseIsoDate(text, local) ?? parseRfc822Date(text, local);
}

/** Minutes east of UTC, or the IANA zone whose offset at that wall-clock time applies. */
type Offset = number | string;

const ISO_DATE = /^(\d{4})-(\d{2})(?:-(\d{2}))?(?:[Tt ]+(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?|[A-Za-z]{1,5})?$/;

function parseIsoDate(text: string, timeZone: string | null): Date | null {
  const match = ISO_DATE.exec(text);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const offset = zoneOffset(zone, timeZone);
  if (offset === null) return null;
  const milliseconds = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  return utcDate(Number(year), Number(month) - 1, Number(day ?? 1), Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0), milliseconds, offset);
}

const RFC822_DATE =
  /^(?:[A-Za-z]{2,9}\.?\s*,?\s*)?(\d{1,2})[\s-]+([A-Za-z]{3,9})\.?[\s-]+(\d{2,4})(?:[\s,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?\s*([A-Za-z]{0,5}\s*(?:[+-]\d{1,2}(?::?\d{2})?)?)$/;

function parseRfc822Date(text: string, timeZone: string | null): Date | null {
  const match = RFC822_DATE.exec(text);
  if (match === null) return null;
  const [, day, monthName, yearText, hour, minute, second, zone] = match;
  const month = MONTHS.get(monthName!.toLowerCase());
  const offset = zoneOffset(zone, timeZone);
  if (month === undefined || offset === null) return null;
  return utcDate(fullYear(yearText!), month, Number(day), Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0), 0, offset);
}

/** RFC 5322 §4.3: two-digit years 00–49 are 20xx and 50–99 are 19xx; three-digit years add 1900. */
function fullYear(yearText: string): number {
  const year = Number(yearText);
  if (yearText.length === 2) return year < 50 ? 2000 + year : 1900 + year;
  if (yearText.length === 3) return 1900 + year;
  return year;
}

const MONTHS: ReadonlyMap<string, number> = new Map(
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].flatMap((short, index) => {
    const long = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'][index]!;
    return [[short, index], [long, index], ...(short === 'sep' ? [['sept', index] as [string, number]] : [])] as Array<[string, number]>;
  }),
);

/**
 * Zone names in minutes east of UTC: RFC 822 §5's (UT, GMT, Z, and the US zones) plus
 * unambiguous ones feeds use (KST and JST are UTC+9). Ambiguous abbreviations (IST, CST-China,
 * BST…) are deliberately absent: a wrong offset would be a guess.
 */
const ZONE_OFFSETS: ReadonlyMap<string, number> = new Map([
  ['ut', 0],
  ['utc', 0],
  ['gmt', 0],
  ['z', 0],
  ['est', -300],
  ['edt', -240],
  ['cst', -360],
  ['cdt', -300],
  ['mst', -420],
  ['mdt', -360],
  ['pst', -480],
  ['pdt', -420],
  ['akst', -540],
  ['akdt', -480],
  ['hst', -600],
  ['wet', 0],
  ['west', 60],
  ['cet', 60],
  ['cest', 120],
  ['met', 60],
  ['mest', 120],
  ['eet', 120],
  ['eest', 180],
  ['msk', 180],
  ['kst', 540],
  ['jst', 540],
  ['hkt', 480],
  ['sgt', 480],
  ['aest', 600],
  ['aedt', 660],
  ['nzst', 720],
  ['nzdt', 780],
]);

/** The date's own zone when it states one, else the source's time zone, else UTC. */
function zoneOffset(zone: string | undefined, timeZone: string | null): Offset | null {
  const stated = (zone ?? '').trim();
  return stated === '' && timeZone !== null ? timeZone : zoneOffsetMinutes(stated);
}

/**
 * Minutes east of UTC for a zone: empty (no zone: UTC), a numeric offset ("+0900", "+09:00",
 * "GMT+9"), a name above, or an RFC 822 military letter, which RFC 5322 §4.3 says to read as
 * UTC because RFC 822 defined their signs backwards. Null for anything else.
 */
function zoneOffsetMinutes(zone: string): number | null {
  const text = zone.trim().toLowerCase();
  if (text === '') return 0;
  const numeric = /^(?:gmt|utc|ut)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text);
  if (numeric !== null) {
    const hours = Number(numeric[2]);
    const minutes = Number(numeric[3] ?? 0);
    if (hours > 23 || minutes > 59) return null;
    return (numeric[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  const named = ZONE_OFFSETS.get(text);
  if (named !== undefined) return named;
  return /^[a-ik-z]$/.test(text) ? 0 : null;
}

function utcDate(year: number, month: number, day: number, hour: number, minute: number, second: number, milliseconds: number, offset: Offset): Date | null {
  if (year < 1000 || year > 9999 || hour > 23 || minute > 59 || second > 60) return null;
  const clampedSecond = Math.min(second, 59); // a leap second reads as :59
  const local = Date.UTC(year, month, day, hour, minute, clampedSecond, milliseconds);
  const check = new Date(local);
  // Date.UTC rolls 31 Feb over into March: such a date does not exist.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month || check.getUTCDate() !== day) return null;
  const minutes = typeof offset === 'number' ? offset : wallClockOffset(offset, local);
  return new Date(local - minutes * 60_000);
}

/**
 * The offset of `timeZone` at the instant its clocks read `wallClock` (a UTC-based time
 * value of the local fields): the offset at wallClock read as UTC, corrected once if the
 * instant that gives lies across a change of offset. A wall-clock time a DST change skips
 * reads with the offset after the change.
 */
function wallClockOffset(timeZone: string, wallClock: number): number {
  const first = offsetAt(timeZone, wallClock);
  const second = offsetAt(timeZone, wallClock - first * 60_000);
  return second;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** Minutes east of UTC in `timeZone` at `instant`, from the zone's wall clock (Intl); 0 for a zone Intl does not know. */
function offsetAt(timeZone: string, instant: number): number {
  if (!formatters.has(timeZone)) formatters.set(timeZone, wallClockFormat(timeZone));
  const format = formatters.get(timeZone);
  if (!format) return 0;
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round((wall - Math.floor(instant / 1000) * 1000) / 60_000);
}

function wallClockFormat(timeZone: string): Intl.DateTimeFormat | null {
  try {
    const fields = { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' } as const;
    return new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', ...fields });
  } catch {
    // The config validates zones; a name this runtime's ICU lacks reads as UTC, as before.
    return null;
  }
}
