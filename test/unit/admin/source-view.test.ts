import { describe, expect, it } from 'vitest';
import { FLAG_AFTER_NOT_FOUND, sourceState } from '../../../src/admin/source-view.ts';
import type { Source } from '../../../src/db/schema.ts';
import { DISABLED_REASONS } from '../../../src/store/disabled-reasons.ts';

const source = (overrides: Partial<Source>): Source =>
  ({
    enabled: true,
    disabled_reason: null,
    error_code: null,
    consecutive_failures: 0,
    last_polled_at: new Date(),
    deleting_since: null,
    ...overrides,
  }) as Source;

describe('sourceState', () => {
  it('tells ok, pending, failing, paused and disabled apart', () => {
    expect(sourceState(source({}))).toBe('ok');
    expect(sourceState(source({ last_polled_at: null }))).toBe('pending');
    expect(sourceState(source({ error_code: 'timeout', consecutive_failures: 9 }))).toBe('failing');
    expect(sourceState(source({ enabled: false, disabled_reason: DISABLED_REASONS.paused }))).toBe('paused');
    expect(sourceState(source({ enabled: false, disabled_reason: DISABLED_REASONS.gone }))).toBe('disabled');
    expect(sourceState(source({ enabled: false, disabled_reason: DISABLED_REASONS.deleting, deleting_since: new Date() }))).toBe('deleting');
  });

  it('flags a source for the admin after repeated 404s', () => {
    expect(sourceState(source({ error_code: 'http_not_found', consecutive_failures: FLAG_AFTER_NOT_FOUND - 1 }))).toBe('failing');
    expect(sourceState(source({ error_code: 'http_not_found', consecutive_failures: FLAG_AFTER_NOT_FOUND }))).toBe('flagged');
  });
});
