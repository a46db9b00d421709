import { describe, expect, it } from 'vitest';
import { createKeyedSemaphore, createSemaphore } from '../../../src/ingest/concurrency.ts';

/** Lets pending promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createSemaphore', () => {
  it('grants up to the limit at once, then queues', async () => {
    const semaphore = createSemaphore(2);
    const first = await semaphore.acquire();
    await semaphore.acquire();
    let thirdGranted = false;
    const third = semaphore.acquire().then((release) => {
      thirdGranted = true;
      return release;
    });
    await settle();
    expect(semaphore.active).toBe(2);
    expect(semaphore.waiting).toBe(1);
    expect(thirdGranted).toBe(false);

    first();
    (await third)();
    expect(thirdGranted).toBe(true);
    expect(semaphore.active).toBe(1);
    expect(semaphore.waiting).toBe(0);
  });

  it('serves waiters in FIFO order', async () => {
    const semaphore = createSemaphore(1);
    const release = await semaphore.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      semaphore.acquire().then((next) => {
        order.push(n);
        next();
      }),
    );
    release();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    expect(semaphore.active).toBe(0);
  });

  it('ignores a second call of the same release', async () => {
    const semaphore = createSemaphore(1);
    const release = await semaphore.acquire();
    release();
    release();
    expect(semaphore.active).toBe(0);
    await semaphore.acquire();
    release(); // stale release must not free the new holder's permit
    expect(semaphore.active).toBe(1);
  });

  it('never has more than the limit running in a burst of tasks', async () => {
    const semaphore = createSemaphore(3);
    let running = 0;
    let peak = 0;
    const task = async () => {
      const release = await semaphore.acquire();
      running += 1;
      peak = Math.max(peak, running);
      await settle();
      running -= 1;
      release();
    };
    await Promise.all(Array.from({ length: 20 }, task));
    expect(peak).toBe(3);
    expect(semaphore.active).toBe(0);
  });

  it('removes an aborted waiter from the queue and rejects with the signal reason', async () => {
    const semaphore = createSemaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(semaphore.waiting).toBe(0);
    release();
    expect(semaphore.active).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const semaphore = createSemaphore(1);
    await expect(semaphore.acquire(AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    expect(semaphore.active).toBe(0);
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => createSemaphore(0)).toThrow(RangeError);
    expect(() => createSemaphore(1.5)).toThrow(RangeError);
    expect(() => createKeyedSemaphore(-1)).toThrow(RangeError);
  });
});

describe('createKeyedSemaphore', () => {
  it('limits each key separately', async () => {
    const semaphore = createKeyedSemaphore(1);
    const a = await semaphore.acquire('a.example');
    const b = await semaphore.acquire('b.example'); // another key: not blocked
    let secondA = false;
    const pending = semaphore.acquire('a.example').then((release) => {
      secondA = true;
      return release;
    });
    await settle();
    expect(secondA).toBe(false);
    expect(semaphore.active('a.example')).toBe(1);
    expect(semaphore.active('b.example')).toBe(1);
    a();
    (await pending)();
    b();
    expect(secondA).toBe(true);
  });

  it('forgets keys once idle, including after an aborted wait', async () => {
    const semaphore = createKeyedSemaphore(1);
    const release = await semaphore.acquire('host');
    const controller = new AbortController();
    const waiting = semaphore.acquire('host', controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(semaphore.size).toBe(1);
    release();
    expect(semaphore.size).toBe(0);
    expect(semaphore.active('host')).toBe(0);
  });

  it('keeps a key while a permit is handed to a waiter', async () => {
    const semaphore = createKeyedSemaphore(1);
    const first = await semaphore.acquire('host');
    const second = semaphore.acquire('host');
    first();
    const release = await second;
    expect(semaphore.active('host')).toBe(1);
    expect(semaphore.size).toBe(1);
    release();
    expect(semaphore.size).toBe(0);
  });
});
