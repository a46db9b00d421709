import { describe, expect, it } from 'vitest';
import { coalesceCalls } from '../../../src/ingest/coalesce-calls.ts';

/** A batch function that records each batch it ran and answers after `release()`. */
function recordingBatch() {
  const batches: number[][] = [];
  const gates: Array<() => void> = [];
  const run = async (inputs: number[]) => {
    batches.push(inputs);
    await new Promise<void>((resolve) => gates.push(resolve));
    return inputs.map((n) => n * 10);
  };
  return {
    batches,
    run,
    releaseAll: () => {
      for (const open of gates.splice(0)) open();
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('coalesceCalls', () => {
  it('sends calls made in one turn as one batch and answers each its own output', async () => {
    const batch = recordingBatch();
    const call = coalesceCalls(batch.run);
    const answers = Promise.all([call(1), call(2), call(3)]);
    await tick();
    batch.releaseAll();
    expect(await answers).toEqual([10, 20, 30]);
    expect(batch.batches).toEqual([[1, 2, 3]]);
  });

  it('gathers the calls made while a batch is in flight into the next one', async () => {
    const batch = recordingBatch();
    const call = coalesceCalls(batch.run);
    const first = call(1);
    await tick();
    const later = [call(2), call(3), call(4)];
    await tick();
    expect(batch.batches).toEqual([[1]]);
    batch.releaseAll();
    expect(await first).toBe(10);
    await tick();
    batch.releaseAll();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(batch.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('splits a burst larger than maxBatch', async () => {
    const seen: number[][] = [];
    const call = coalesceCalls(
      async (inputs: number[]) => {
        seen.push(inputs);
        return inputs;
      },
      { maxBatch: 2 },
    );
    expect(await Promise.all([1, 2, 3, 4, 5].map(call))).toEqual([1, 2, 3, 4, 5]);
    expect(seen).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('rejects every call of a failed batch, thrown or rejected, and goes on with the next', async () => {
    let fail = true;
    const call = coalesceCalls((inputs: number[]) => {
      if (fail) throw new Error('database went away');
      return Promise.resolve(inputs);
    });
    const failed = await Promise.allSettled([call(1), call(2)]);
    expect(failed.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['database went away', 'database went away']);
    fail = false;
    expect(await call(3)).toBe(3);
  });

  it('rejects the calls of a batch that answers the wrong number of outputs', async () => {
    const call = coalesceCalls(async (inputs: number[]) => inputs.slice(1));
    await expect(Promise.all([call(1), call(2)])).rejects.toThrow('a batch of 2 calls answered 1');
  });
});
