import { afterEach, describe, expect, it } from 'vitest';
import { startScheduler, type Scheduler } from '../../src/scheduler.ts';
import { createLogger } from '../../src/logger.ts';

const NEVER = '0 0 1 1 *';
let scheduler: Scheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
});

describe('scheduler.replace', () => {
  it('swaps the jobs under a prefix and leaves the others alone', async () => {
    const ran: string[] = [];
    const job = (name: string, schedule = NEVER) => ({ name, schedule, run: async () => void ran.push(name) });
    scheduler = startScheduler([job('poll'), job('digest:a'), job('digest:b')], createLogger('silent'));
    scheduler.replace('digest:', [job('digest:b', '0 7 * * *'), job('digest:c')]);
    await scheduler.runNow('poll');
    await scheduler.runNow('digest:b');
    await scheduler.runNow('digest:c');
    expect(() => scheduler!.runNow('digest:a')).toThrow('unknown job "digest:a"');
    expect(ran).toEqual(['poll', 'digest:b', 'digest:c']);
  });

  it('runs the replacing job under a kept name', async () => {
    const ran: string[] = [];
    scheduler = startScheduler([{ name: 'digest:a', schedule: NEVER, run: async () => void ran.push('old') }], createLogger('silent'));
    scheduler.replace('digest:', [{ name: 'digest:a', schedule: NEVER, run: async () => void ran.push('new') }]);
    await scheduler.runNow('digest:a');
    expect(ran).toEqual(['new']);
  });
});
