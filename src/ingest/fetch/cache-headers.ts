/**
 * Reads the response headers that tell a poller when to come back:
 * Cache-Control max-age, Expires, Retry-After and Date. Pure functions; the
 * scheduler decides what to do with the numbers.
 */

export interface CacheHeaders {
  /** Cache-Control max-age in seconds (RFC 9111 §5.2.2.1), or null when absent or invalid. */
  cacheControlMaxAge: number | null;
  /**
   * Expires (RFC 9111 §5.3), or null when absent. An invalid value such as "0"
   * means "already expired" (§5.3), represented as the epoch.
   */
  expires: Date | null;
  /** Retry-After as seconds from now (RFC 9110 §10.2.3), or null when absent or invalid. */
  retryAfterSeconds: number | null;
  /** The origin's Date (RFC 9110 §6.6.1), or null when absent or invalid. */
  date: Date | null;
}

/** Header values as undici returns them: lower-case names; repeated fields as arrays. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** RFC 9111 §1.2.2: a delta-seconds too large to represent is sent as 2^31. */
const MAX_DELTA_SECONDS = 2 ** 31;

export function parseCacheHeaders(headers: ResponseHeaders, now: Date = new Date()): CacheHeaders {
  const date = parseHttpDate(firstValue(headers.date), now);
  const expiresValue = firstValue(headers.expires);
  return {
    cacheControlMaxAge: parseMaxAge(joinedValue(headers['cache-control'])),
    expires: expiresValue === null ? null : (parseHttpDate(expiresValue, now) ?? new Date(0)),
    retryAfterSeconds: parseRetryAfter(firstValue(headers['retry-after']), date ?? now),
    date,
  };
}

/**
 * The max-age directive of a Cache-Control value, in seconds. Directive names are
 * case-insensitive and the argument may be a token or a quoted string (RFC 9111
 * §5.2). When max-age appears more than once the first one wins (§4.2.1).
 */
export function parseMaxAge(cacheControl: string | null): number | null {
  if (cacheControl === null) return null;
  for (const directive of splitDirectives(cacheControl)) {
    const match = /^max-age\s*=\s*(?:"(\d+)"|(\d+))$/i.exec(directive);
    if (match) return clampDelta(Number(match[1] ?? match[2]));
    if (/^max-age\b/i.test(directive)) return null; // present but malformed
  }
  return null;
}

/**
 * Retry-After (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date. A date is
 * turned into seconds against the response's own Date when there is one, so a
 * skewed local clock does not distort it; a date in the past means 0.
 */
export function parseRetryAfter(value: string | null, reference: Date = new Date()): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return clampDelta(Number(trimmed));
  const when = parseHttpDate(trimmed, reference);
  if (when === null) return null;
  return Math.max(0, Math.ceil((when.getTime() - reference.getTime()) / 1000));
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// RFC 9110 §5.6.7: recipients must accept all three formats. Real servers also
// write "UTC" or "+0000" instead of "GMT", and a one-digit day: accepted too.
const IMF_FIXDATE = /^[a-z]{3},\s+(\d{1,2})\s+([a-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+(?:gmt|utc|ut|z|[+-]0000)$/i;
const RFC850_DATE = /^[a-z]{6,9},\s+(\d{1,2})-([a-z]{3})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})\s+(?:gmt|utc)$/i;
const ASCTIME_DATE = /^[a-z]{3}\s+([a-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})$/i;

/**
 * Parses an HTTP-date (RFC 9110 §5.6.7) in any of its three formats, all in UTC.
 * Not Date.parse: it reads asctime dates as local time and accepts many
 * non-HTTP formats.
 */
export function parseHttpDate(value: string | null, now: Date = new Date()): Date | null {
  if (value === null) return null;
  const text = value.trim();
  let match = IMF_FIXDATE.exec(text);
  if (match) return utcDate(match[3], match[2], match[1], match[4], match[5], match[6]);
  match = ASCTIME_DATE.exec(text);
  if (match) return utcDate(match[6], match[1], match[2], match[3], match[4], match[5]);
  match = RFC850_DATE.exec(text);
  if (match) {
    const year = expandTwoDigitYear(Number(match[3]), now);
    return utcDate(String(year), match[2], match[1], match[4], match[5], match[6]);
  }
  return null;
}

/**
 * RFC 9110 §5.6.7: a two-digit year that appears to be more than 50 years in the
 * future is the most recent past year with the same last two digits.
 */
function expandTwoDigitYear(twoDigits: number, now: Date): number {
  const currentYear = now.getUTCFullYear();
  let year = currentYear - (currentYear % 100) + twoDigits;
  if (year > currentYear + 50) year -= 100;
  return year;
}

function utcDate(
  year: string | undefined,
  monthName: string | undefined,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
): Date | null {
  const month = MONTHS.indexOf((monthName ?? '').toLowerCase());
  const parts = [year, day, hour, minute, second].map(Number) as [number, number, number, number, number];
  const [y, d, h, m, s] = parts;
  if (month === -1 || d < 1 || d > 31 || h > 23 || m > 59 || s > 60) return null;
  const date = new Date(Date.UTC(y, month, d, h, m, Math.min(s, 59)));
  // Reject dates that roll over, e.g. 31 Feb.
  if (date.getUTCDate() !== d) return null;
  return date;
}

/** Splits a Cache-Control value on commas outside quoted strings. */
function splitDirectives(value: string): string[] {
  const directives: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      directives.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  directives.push(current.trim());
  return directives.filter((directive) => directive !== '');
}

function clampDelta(seconds: number): number {
  return Math.min(seconds, MAX_DELTA_SECONDS);
}

function firstValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** RFC 9110 §5.3: repeated field lines of a list field combine with commas. */
function joinedValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
