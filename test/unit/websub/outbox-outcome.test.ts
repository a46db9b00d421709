import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, retryAt } from '../../../src/websub/outbox-outcome.ts';

const now = new Date('2026-12-01T00:00:00Z');
const delaySeconds = (attempts: number) => ((retryAt(attempts, now)?.getTime() ?? NaN) - now.getTime()) / 1000;

describe('WebSub request backoff', () => {
  it('waits 30 s after the first failure and doubles, up to an hour', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(delaySeconds)).toEqual([30, 60, 120, 240, 480, 960, 1920]);
    expect(Math.max(...[1, 2, 3, 4, 5, 6, 7].map(delaySeconds))).toBeLessThanOrEqual(3600);
  });

  it('gives up after MAX_ATTEMPTS', () => {
    expect(retryAt(MAX_ATTEMPTS, now)).toBeNull();
  });
});
