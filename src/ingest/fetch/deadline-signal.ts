/**
 * A caller's abort signal plus a deadline, as one signal. Built by hand rather than with
 * AbortSignal.any([signal, AbortSignal.timeout()]): on Node 20 AbortSignal.any leaks when
 * one input is long-lived (nodejs/node#54614, #55351), which a shared shutdown signal is;
 * and the timer is cleared as soon as the work ends instead of lingering.
 */
export interface DeadlineSignal {
  /** Aborts on the deadline (a TimeoutError) or when the caller's signal aborts. */
  readonly signal: AbortSignal;
  /** True once the deadline (not the caller) aborted it. */
  readonly deadlineHit: boolean;
  /** Clears the timer and unlinks the caller's signal; `finalReason`, if given, aborts the signal too. */
  dispose(finalReason?: unknown): void;
}

export function deadlineSignal(ms: number, callerSignal: AbortSignal | undefined, timeoutMessage: string): DeadlineSignal {
  const controller = new AbortController();
  let deadlineHit = false;
  const timer = setTimeout(() => {
    deadlineHit = true;
    controller.abort(new DOMException(timeoutMessage, 'TimeoutError'));
  }, ms);
  const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    get deadlineHit() {
      return deadlineHit;
    },
    dispose(finalReason) {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
      if (finalReason !== undefined) controller.abort(finalReason);
    },
  };
}
