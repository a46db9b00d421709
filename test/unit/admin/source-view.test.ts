import { describe, expect, it } from 'vitest';
import { FLAG_AFTER_NOT_FOUND, sourceState } from '../../../src/admin/source-view.ts';
import type { Source } from '../../../src/db/schema.ts';
import { DISABLED_REASONS } from '../../../src/store/disabled-reasons.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

const source = (overrides: Partial<Source>): Source =>
  ({
    enabled: true,
    disabled_reason: null,
    error_code: null,
    consecutive_failures: 0,
    last_polled_at: NOW,
    deleting_since: null,
    created_at: daysAgo(60),
    newest_item_at: daysAgo(1),
    publishing_gap_seconds: 3600,
    ...overrides,
  }) as Source;

describe('sourceState', () => {
  it('tells ok, pending, failing, paused and disabled apart', () => {
    expect(sourceState(source({}), NOW)).toBe('ok');
    expect(sourceState(source({ last_polled_at: null }), NOW)).toBe('pending');
    expect(sourceState(source({ error_code: 'timeout', consecutive_failures: 9 }), NOW)).toBe('failing');
    expect(sourceState(source({ enabled: false, disabled_reason: DISABLED_REASONS.paused }), NOW)).toBe('paused');
    expect(sourceState(source({ enabled: false, disabled_reason: DISABLED_REASONS.gone }), NOW)).toBe('disabled');
    expect(sourceState(source({ enabled: false, disabled_reason: DISABLED_REASONS.deleting, deleting_since: NOW }), NOW)).toBe('deleting');
  });

  it('flags a source for the admin after repeated 404s', () => {
    expect(sourceState(source({ error_code: 'http_not_found', consecutive_failures: FLAG_AFTER_NOT_FOUND - 1 }), NOW)).toBe('failing');
    expect(sourceState(source({ error_code: 'http_not_found', consecutive_failures: FLAG_AFTER_NOT_FOUND }), NOW)).toBe('flagged');
  });

  it('shows a source that answers but published nothing for long as stale', () => {
    expect(sourceState(source({ newest_item_at: daysAgo(8) }), NOW)).toBe('stale');
  });

  it('keeps failing, paused and never-polled sources in their own state however quiet', () => {
    const quiet = { newest_item_at: daysAgo(90) };
    expect(sourceState(source({ ...quiet, error_code: 'timeout', consecutive_failures: 1 }), NOW)).toBe('failing');
    expect(sourceState(source({ ...quiet, enabled: false, disabled_reason: DISABLED_REASONS.paused }), NOW)).toBe('paused');
    expect(sourceState(source({ ...quiet, last_polled_at: null }), NOW)).toBe('pending');
  });
});
