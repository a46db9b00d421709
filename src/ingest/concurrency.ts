/**
 * Small async limiters for the fetcher: a counting semaphore (the global cap on
 * requests in flight) and a keyed one (the per-host cap). Waiters are served in
 * FIFO order, and a waiter whose AbortSignal fires leaves the queue at once.
 */

/** Gives a permit back. Calling it more than once is harmless. */
export type Release = () => void;

export interface Semaphore {
  /** Resolves with a release function once a permit is free; rejects with the signal's reason on abort. */
  acquire(signal?: AbortSignal): Promise<Release>;
  /** Permits currently held. */
  readonly active: number;
  /** Callers waiting for a permit. */
  readonly waiting: number;
}

export interface KeyedSemaphore {
  /** Like Semaphore.acquire, with a separate limit for each key. */
  acquire(key: string, signal?: AbortSignal): Promise<Release>;
  /** Permits currently held for this key. */
  active(key: string): number;
  /** Keys with a permit held or a caller waiting (idle keys are forgotten). */
  readonly size: number;
}

interface Waiter {
  grant: (release: Release) => void;
}

export function createSemaphore(limit: number): Semaphore {
  assertLimit(limit);
  let active = 0;
  const queue: Waiter[] = [];

  function makeRelease(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.shift();
      // Hand the permit straight to the next waiter: `active` stays the same.
      if (next) next.grant(makeRelease());
      else active -= 1;
    };
  }

  function acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (active < limit) {
      active += 1;
      return Promise.resolve(makeRelease());
    }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = (): void => {
        const index = queue.indexOf(waiter);
        if (index !== -1) queue.splice(index, 1);
        reject(abortReason(signal!));
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  return {
    acquire,
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}

export function createKeyedSemaphore(limitPerKey: number): KeyedSemaphore {
  assertLimit(limitPerKey);
  // One semaphore per key, dropped when nobody holds or waits for it, so a
  // long-running poller does not accumulate one entry per host ever seen.
  const semaphores = new Map<string, Semaphore>();

  function forgetIfIdle(key: string, semaphore: Semaphore): void {
    if (semaphore.active === 0 && semaphore.waiting === 0 && semaphores.get(key) === semaphore) {
      semaphores.delete(key);
    }
  }

  async function acquire(key: string, signal?: AbortSignal): Promise<Release> {
    let semaphore = semaphores.get(key);
    if (!semaphore) {
      semaphore = createSemaphore(limitPerKey);
      semaphores.set(key, semaphore);
    }
    const owner = semaphore;
    let release: Release;
    try {
      release = await owner.acquire(signal);
    } catch (error) {
      forgetIfIdle(key, owner);
      throw error;
    }
    return () => {
      release();
      forgetIfIdle(key, owner);
    };
  }

  return {
    acquire,
    active: (key) => semaphores.get(key)?.active ?? 0,
    get size() {
      return semaphores.size;
    },
  };
}

function assertLimit(limit: number): void {
  if (!(Number.isInteger(limit) && limit >= 1)) {
    throw new RangeError(`a concurrency limit must be a positive integer, got ${limit}`);
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
