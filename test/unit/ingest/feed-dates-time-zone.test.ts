/** A source's time zone (feeds.config.json `timezone`) for the dates its feed writes without one. */
import { describe, expect, it } from 'vitest';
import { parseFeedDate } from '../../../src/ingest/feed-dates.ts';

const iso = (raw: string, zone?: string) => parseFeedDate(raw, zone)?.toISOString() ?? null;

describe('parseFeedDate with a source time zone', () => {
  it('reads a zone-less RFC 822 date in the source zone', () => {
    expect(iso('Mon, 21 Oct 2024 09:00:00', 'Asia/Seoul')).toBe('2024-10-21T00:00:00.000Z');
  });

  it('reads a zone-less ISO 8601 date, with T or a space, in the source zone', () => {
    expect(iso('2024-10-21T09:00:00', 'Asia/Seoul')).toBe('2024-10-21T00:00:00.000Z');
    expect(iso('2024-10-21 09:00', 'Asia/Seoul')).toBe('2024-10-21T00:00:00.000Z');
  });

  it('reads a date without a time as midnight in the source zone', () => {
    expect(iso('2024-10-21', 'Asia/Seoul')).toBe('2024-10-20T15:00:00.000Z');
  });

  it('keeps a zone the date states, whatever the source zone', () => {
    expect(iso('Mon, 21 Oct 2024 09:00:00 GMT', 'Asia/Seoul')).toBe('2024-10-21T09:00:00.000Z');
    expect(iso('2024-10-21T09:00:00Z', 'Asia/Seoul')).toBe('2024-10-21T09:00:00.000Z');
    expect(iso('2024-10-21T09:00:00+02:00', 'Asia/Seoul')).toBe('2024-10-21T07:00:00.000Z');
  });

  it('follows the zone’s daylight saving time on either side of a change', () => {
    // New York: EDT (UTC−4) until 3 November 2024 02:00, EST (UTC−5) after.
    expect(iso('Sat, 02 Nov 2024 12:00:00', 'America/New_York')).toBe('2024-11-02T16:00:00.000Z');
    expect(iso('Mon, 04 Nov 2024 12:00:00', 'America/New_York')).toBe('2024-11-04T17:00:00.000Z');
    // 02:30 on 10 March 2024 does not exist there (clocks jump to 03:00): read with the offset after.
    expect(iso('2024-03-10T02:30:00', 'America/New_York')).toBe('2024-03-10T06:30:00.000Z');
  });

  it('reads zone-less dates as UTC without a source zone, and with a zone the runtime does not know', () => {
    expect(iso('Mon, 21 Oct 2024 09:00:00')).toBe('2024-10-21T09:00:00.000Z');
    expect(iso('Mon, 21 Oct 2024 09:00:00', 'Mars/Olympus_Mons')).toBe('2024-10-21T09:00:00.000Z');
  });
});
