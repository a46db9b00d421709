/**
 * Per-host politeness across instances: before a poll fetches, it takes one of
 * `polling.perHost` slots of the source's host, and no two requests to one host start
 * closer together than `polling.hostSpacing`. The slots are leases kept in the database
 * (src/store/host-politeness.ts, bound in app-context.ts), so the limits hold for every
 * instance sharing it; this module is the waiting around them:
 *
 * - an in-process queue per host in front, so at most `perHost` local pollers ask the
 *   database for one host at a time (the others wait in memory, at no cost);
 * - retries timed by the host's spacing, or a short growing back-off while slots are full;
 * - abort-aware (the poll's signal), and bounded: after `maxWaitMs` it gives up with a
 *   HostBusyError, and the caller hands the source back rather than record a failure.
 *
 * Ingest stage rules hold: the database comes in through the HostSlotStore interface.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';
import { createKeyedSemaphore } from './concurrency.ts';
import { deadlineSignal } from './fetch/deadline-signal.ts';

/** One attempt at a slot, as the store answers it. */
export interface SlotAttempt {
  /** The slot taken, or null when none was free (or spacing forbids a start yet). */
  slot: number | null;
  /** Milliseconds until the host's spacing allows the next start (0: not spacing-bound). */
  spacingWaitMs: number;
  /** False when the host has no slot rows yet. */
  known: boolean;
}

export interface HostSlotStore {
  /** Creates the host's slot rows (idempotent). */
  ensure(host: string): Promise<void>;
  /** Takes a slot now if one is free and spacing allows; never waits. */
  tryAcquire(host: string, leaseId: string): Promise<SlotAttempt>;
  release(host: string, slot: number, leaseId: string): Promise<void>;
}

export interface HostSlot {
  /** Gives the slot back; never throws (an unreleased slot expires with its lease). */
  release(): Promise<void>;
}

export interface HostGate {
  /** Waits for a slot on the URL's host. Rejects with the signal's reason on abort, HostBusyError after maxWaitMs. */
  acquire(url: string, signal?: AbortSignal): Promise<HostSlot>;
}

export interface HostGateOptions {
  store: HostSlotStore;
  perHost: number;
  /** polling.hostSpacing, kept between this process's own request starts too (see keepLocalSpacing). */
  spacingMs?: number | undefined;
  /** Longest wait for a slot; past it the poll is handed back for later. */
  maxWaitMs: number;
  log: Logger;
  /** Back-off while every slot is taken: starts at minMs, doubles up to maxMs (jittered). */
  retry?: { minMs: number; maxMs: number };
}

/** The host stayed busy for the whole wait: not the feed's fault, so not a poll failure. */
export class HostBusyError extends Error {
  override readonly name = 'HostBusyError';
  constructor(
    readonly host: string,
    waitedMs: number,
  ) {
    super(`no request slot for ${host} within ${Math.round(waitedMs / 1000)} s (polling.perHost and polling.hostSpacing are shared by every instance)`);
  }
}

const DEFAULT_RETRY = { minMs: 25, maxMs: 500 };
const NO_SLOT: HostSlot = { release: async () => {} };

export function createHostGate(options: HostGateOptions): HostGate {
  const { store, log } = options;
  const retry = options.retry ?? DEFAULT_RETRY;
  const local = createKeyedSemaphore(options.perHost);
  // Hosts whose rows this process made sure of: once per host and process, so a perHost
  // raised in the config takes effect at the next start.
  const ensured = new Set<string>();
  // Per host, when this process starts (or has reserved) its latest request: performance.now().
  const localStarts = new Map<string, number>();

  /**
   * The database spaces grants, timed by its clock; a grant reaches this process a little
   * later, by as much as its event loop lags under load. Two grants 150 ms apart could then
   * start their requests 40 ms apart. Each start is also spaced from this process's previous
   * one to the host: the time is reserved before waiting, so concurrent pollers queue up.
   */
  async function keepLocalSpacing(host: string, signal: AbortSignal): Promise<void> {
    const spacing = options.spacingMs ?? 0;
    if (spacing <= 0) return;
    const now = performance.now();
    const start = Math.max(now, (localStarts.get(host) ?? Number.NEGATIVE_INFINITY) + spacing);
    localStarts.set(host, start);
    if (start > now) await sleep(start - now, signal);
  }

  async function claimSlot(host: string, leaseId: string, signal: AbortSignal): Promise<number> {
    if (!ensured.has(host)) {
      await store.ensure(host);
      ensured.add(host);
    }
    for (let attempt = 0; ; attempt++) {
      const answer = await store.tryAcquire(host, leaseId);
      // Taken even if the signal fired meanwhile: the caller releases it in its finally.
      if (answer.slot !== null) return answer.slot;
      if (!answer.known) {
        await store.ensure(host); // rows deleted behind our back: make them again
        continue;
      }
      const backoff = Math.min(retry.maxMs, retry.minMs * 2 ** Math.min(attempt, 10));
      const delay = answer.spacingWaitMs > 0 ? answer.spacingWaitMs + Math.random() * 10 : backoff * (0.5 + Math.random() / 2);
      await sleep(delay, signal);
    }
  }

  return {
    async acquire(url, callerSignal) {
      const host = hostOf(url);
      if (host === null) return NO_SLOT; // the fetch reports the bad URL
      const wait = deadlineSignal(options.maxWaitMs, callerSignal, `waited ${options.maxWaitMs} ms for a host slot`);
      try {
        const releaseLocal = await local.acquire(host, wait.signal);
        try {
          const leaseId = randomUUID();
          const slot = await claimSlot(host, leaseId, wait.signal);
          try {
            await keepLocalSpacing(host, wait.signal);
          } catch (error) {
            await store.release(host, slot, leaseId).catch(() => {});
            throw error;
          }
          return {
            release: once(() =>
              store
                .release(host, slot, leaseId)
                .catch((error: unknown) => log.warn({ err: error, host }, 'could not release a host slot; its lease will expire'))
                .finally(releaseLocal),
            ),
          };
        } catch (error) {
          releaseLocal();
          throw error;
        }
      } catch (error) {
        if (wait.deadlineHit && !callerSignal?.aborted) throw new HostBusyError(host, options.maxWaitMs);
        throw error;
      } finally {
        wait.dispose();
      }
    },
  };
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname || null;
  } catch {
    return null;
  }
}

function once(run: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  return () => (done ??= run());
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
