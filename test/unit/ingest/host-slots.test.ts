/**
 * The host gate's waiting, on a fake clock: a store that answers as the test says, vitest's
 * fake timers and no jitter (Math.random at 0), so every wait the gate asks for is seen and
 * ended by the test, not by time passing. (test/integration/host-politeness.test.ts runs the
 * gate against the database.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHostGate, HostBusyError, type HostSlotStore, type SlotAttempt } from '../../../src/ingest/host-slots.ts';
import { createLogger } from '../../../src/logger.ts';

const silentLog = createLogger('silent');

const URL_A = 'https://a.example/feed.xml';
const FREE: SlotAttempt = { slot: 0, spacingWaitMs: 0, known: true };
const FULL: SlotAttempt = { slot: null, spacingWaitMs: 0, known: true };
const spacing = (ms: number): SlotAttempt => ({ slot: null, spacingWaitMs: ms, known: true });

/** A store answering `answers` in turn (the last one from then on; push to script more), recording every call. */
function scriptedStore(answers: SlotAttempt[]) {
  const calls = { ensure: 0, tryAcquire: 0, release: [] as Array<{ host: string; slot: number }> };
  const store: HostSlotStore = {
    ensure: async () => void calls.ensure++,
    tryAcquire: async () => answers[Math.min(calls.tryAcquire++, answers.length - 1)]!,
    release: async (host, slot) => void calls.release.push({ host, slot }),
  };
  return { store, calls };
}

const gateOver = (store: HostSlotStore, maxWaitMs = 60_000) =>
  createHostGate({ store, perHost: 1, maxWaitMs, log: silentLog, retry: { minMs: 100, maxMs: 400 } });

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(0);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('host gate', () => {
  it('waits the spacing the store names, then tries again', async () => {
    const { store, calls } = scriptedStore([spacing(300), FREE]);
    const acquired = gateOver(store).acquire(URL_A);
    await vi.advanceTimersByTimeAsync(299);
    expect(calls.tryAcquire).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.tryAcquire).toBe(2);
    await acquired;
  });

  it('backs off while every slot is taken, doubling from retry.minMs up to retry.maxMs', async () => {
    const { store, calls } = scriptedStore([FULL, FULL, FULL, FULL, FREE]);
    const acquired = gateOver(store).acquire(URL_A);
    // After the n-th full answer it waits half (no jitter) to all of min(400, 100 · 2^n) ms.
    for (const [attempt, backoff] of [100, 200, 400, 400].entries()) {
      await vi.advanceTimersByTimeAsync(backoff / 2 - 1);
      expect(calls.tryAcquire).toBe(attempt + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls.tryAcquire).toBe(attempt + 2);
    }
    await acquired;
  });

  it('rejects with the abort reason, without waiting out its timer, and holds nothing', async () => {
    const answers = [FULL];
    const { store, calls } = scriptedStore(answers);
    const gate = gateOver(store);
    const controller = new AbortController();
    const waiting = gate.acquire(URL_A, controller.signal);
    const outcome = waiting.then(
      () => 'acquired',
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.tryAcquire).toBe(1);
    const reason = new Error('shutting down');
    controller.abort(reason);
    // No timer is advanced: only the abort can settle it.
    expect(await outcome).toBe(reason);
    expect(calls.tryAcquire).toBe(1);
    expect(calls.release).toEqual([]);
    // The in-process permit for the host (perHost 1) was given back: the next caller asks the
    // store at once and gets the slot; no timer of the aborted wait is left behind.
    answers.push(FREE);
    await gate.acquire(URL_A);
    expect(calls.tryAcquire).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives up with HostBusyError after maxWaitMs, and not before', async () => {
    const { store, calls } = scriptedStore([FULL]);
    const outcome = gateOver(store, 1_000)
      .acquire(URL_A)
      .then(
        () => 'acquired',
        (error: unknown) => error,
      );
    let settled = false;
    void outcome.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBeInstanceOf(HostBusyError);
    expect((await outcome) as HostBusyError).toMatchObject({ host: 'a.example' });
    expect(calls.release).toEqual([]);
  });

  it("spaces this process's own starts to a host, though the store grants at once", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { store } = scriptedStore([FREE]);
    const gate = createHostGate({ store, perHost: 2, spacingMs: 150, maxWaitMs: 60_000, log: silentLog });
    const granted: string[] = [];
    void gate.acquire(URL_A).then(() => granted.push('first'));
    void gate.acquire(URL_A).then(() => granted.push('second'));
    await vi.advanceTimersByTimeAsync(149);
    expect(granted).toEqual(['first']);
    await vi.advanceTimersByTimeAsync(1);
    expect(granted).toEqual(['first', 'second']);
  });

  it('gives a taken slot back once, however often release is called', async () => {
    const { store, calls } = scriptedStore([FREE]);
    const slot = await gateOver(store).acquire(URL_A);
    await Promise.all([slot.release(), slot.release()]);
    expect(calls.release).toEqual([{ host: 'a.example', slot: 0 }]);
  });
});
