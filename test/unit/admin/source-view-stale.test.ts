import { describe, expect, it } from 'vitest';
import { isQuietTooLong, MIN_STALE_SECONDS, staleAfterSeconds, staleFrom, type StaleInputs } from '../../../src/admin/source-view-stale.ts';

const DAY = 86_400;
const NOW = new Date('2026-12-01T12:00:00Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);
const rhythm = (overrides: Partial<StaleInputs>): StaleInputs => ({
  newest_item_at: ago(DAY),
  publishing_gap_seconds: 3600,
  created_at: ago(90 * DAY),
  ...overrides,
});

describe('the stale rule', () => {
  it('waits at least a week, however often the source usually publishes', () => {
    expect(staleAfterSeconds(3600)).toBe(MIN_STALE_SECONDS);
    expect(staleAfterSeconds(DAY)).toBe(MIN_STALE_SECONDS);
  });

  it('waits four usual gaps when that is longer than a week', () => {
    expect(staleAfterSeconds(3 * DAY)).toBe(12 * DAY);
  });

  it('takes a week for an unknown gap (undated items) and as the longest gap one week can measure', () => {
    expect(staleAfterSeconds(null)).toBe(28 * DAY);
    expect(staleAfterSeconds(30 * DAY)).toBe(28 * DAY);
  });

  it('is stale from the newest item plus the window, not a second before', () => {
    const source = rhythm({ newest_item_at: ago(3 * 4 * DAY), publishing_gap_seconds: 3 * DAY });
    expect(staleFrom(source)).toEqual(NOW);
    expect(isQuietTooLong(source, NOW)).toBe(true);
    expect(isQuietTooLong(source, new Date(NOW.getTime() - 1000))).toBe(false);
  });

  it('is not stale while new items keep their usual pace', () => {
    expect(isQuietTooLong(rhythm({ newest_item_at: ago(6 * DAY), publishing_gap_seconds: 2 * DAY }), NOW)).toBe(false);
  });

  it('counts from when the source was added when it never published anything', () => {
    expect(isQuietTooLong(rhythm({ newest_item_at: null, publishing_gap_seconds: null, created_at: ago(27 * DAY) }), NOW)).toBe(false);
    expect(isQuietTooLong(rhythm({ newest_item_at: null, publishing_gap_seconds: null, created_at: ago(28 * DAY) }), NOW)).toBe(true);
  });
});
