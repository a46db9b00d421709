import { describe, expect, it } from 'vitest';
import { parseCacheHeaders, parseHttpDate, parseMaxAge, parseRetryAfter } from '../../../../src/ingest/fetch/cache-headers.ts';

const NOW = new Date('2025-06-01T12:00:00Z');

describe('parseHttpDate (RFC 9110 §5.6.7)', () => {
  it('reads the three formats as UTC', () => {
    const expected = new Date('1994-11-06T08:49:37Z');
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toEqual(expected); // IMF-fixdate
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toEqual(expected); // RFC 850
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994', NOW)).toEqual(expected); // asctime, no zone but UTC
  });

  it('accepts common sloppiness: UTC or +0000 zones, one-digit days, lower case', () => {
    expect(parseHttpDate('Mon, 2 Jun 2025 10:00:00 UTC', NOW)).toEqual(new Date('2025-06-02T10:00:00Z'));
    expect(parseHttpDate('mon, 02 jun 2025 10:00:00 +0000', NOW)).toEqual(new Date('2025-06-02T10:00:00Z'));
  });

  it('reads a two-digit year more than 50 years ahead as the past century', () => {
    expect(parseHttpDate('Thursday, 01-Jan-70 00:00:00 GMT', NOW)?.getUTCFullYear()).toBe(2070);
    expect(parseHttpDate('Friday, 01-Jan-99 00:00:00 GMT', NOW)?.getUTCFullYear()).toBe(1999);
  });

  it.each([
    '',
    '0',
    '-1',
    'tomorrow',
    '2025-06-01T12:00:00Z',
    'Sun, 31 Feb 2025 00:00:00 GMT',
    'Sun, 06 Nov 1994 25:00:00 GMT',
    'Sun, 06 Nov 1994 08:49:37 PST',
  ])('rejects %j', (value) => {
    expect(parseHttpDate(value, NOW)).toBeNull();
  });

  it('returns null for null', () => {
    expect(parseHttpDate(null)).toBeNull();
  });
});

describe('parseMaxAge (RFC 9111 §5.2.2.1)', () => {
  it.each([
    ['max-age=600', 600],
    ['public, max-age=300, must-revalidate', 300],
    ['MAX-AGE=60', 60],
    ['max-age="120"', 120], // quoted-string form
    ['s-maxage=10, max-age=20', 20],
    ['max-age=0', 0],
    ['max-age=1, max-age=2', 1], // first occurrence wins (§4.2.1)
    ['private, community="UCI, max-age=5"', null], // inside a quoted string: not a directive
    ['max-age=99999999999', 2 ** 31], // clamped (§1.2.2)
  ])('%j → %s', (value, expected) => {
    expect(parseMaxAge(value)).toBe(expected);
  });

  it.each(['no-cache', 'max-age', 'max-age=-1', 'max-age=1.5', 'max-age=abc', ''])('%j → null', (value) => {
    expect(parseMaxAge(value)).toBeNull();
  });
});

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
  });

  it('turns an HTTP-date into seconds from the reference time', () => {
    expect(parseRetryAfter('Sun, 01 Jun 2025 12:02:00 GMT', NOW)).toBe(120);
    expect(parseRetryAfter('Sun, 01 Jun 2025 11:00:00 GMT', NOW)).toBe(0); // in the past
  });

  it.each(['-5', '1.5', 'soon', ''])('rejects %j', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeNull();
  });
});

describe('parseCacheHeaders', () => {
  it('reads every field from undici-style headers', () => {
    const headers = parseCacheHeaders(
      {
        'cache-control': ['public', 'max-age=900'], // repeated lines are one list (RFC 9110 §5.3)
        expires: 'Sun, 01 Jun 2025 13:00:00 GMT',
        'retry-after': '30',
        date: 'Sun, 01 Jun 2025 12:00:00 GMT',
      },
      NOW,
    );
    expect(headers).toEqual({
      cacheControlMaxAge: 900,
      expires: new Date('2025-06-01T13:00:00Z'),
      retryAfterSeconds: 30,
      date: new Date('2025-06-01T12:00:00Z'),
    });
  });

  it('measures a Retry-After date against the response Date, not the local clock', () => {
    const headers = parseCacheHeaders(
      { date: 'Sun, 01 Jun 2025 10:00:00 GMT', 'retry-after': 'Sun, 01 Jun 2025 10:05:00 GMT' },
      NOW, // local clock two hours ahead of the server
    );
    expect(headers.retryAfterSeconds).toBe(300);
  });

  it('treats an invalid Expires (e.g. "0") as already expired (RFC 9111 §5.3)', () => {
    expect(parseCacheHeaders({ expires: '0' }, NOW).expires).toEqual(new Date(0));
  });

  it('returns nulls when nothing is there', () => {
    expect(parseCacheHeaders({}, NOW)).toEqual({
      cacheControlMaxAge: null,
      expires: null,
      retryAfterSeconds: null,
      date: null,
    });
  });
});
