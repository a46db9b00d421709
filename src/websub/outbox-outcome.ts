/**
 * What became of one WebSub request of the outbox (src/store/websub-outbox.ts), and when a
 * failed one is tried again: exponential backoff from 30 s, capped at an hour, given up after
 * MAX_ATTEMPTS (about four hours of trying in all).
 */
export type RequestOutcome =
  /** Done: the row leaves the queue. */
  | { result: 'sent' }
  /** Worth another try (transport error, 5xx, 429…): the row waits for its backoff. */
  | { result: 'failed'; error: string }
  /** Final without success (the subscriber refused, 410 Gone, the topic is gone): the row leaves the queue. */
  | { result: 'refused' | 'gone'; reason: string };

export const MAX_ATTEMPTS = 8;
const FIRST_DELAY_MS = 30_000;
const MAX_DELAY_MS = 3_600_000;

/** When to try again after the `attempts`-th failure (1 for the first); null: give up. */
export function retryAt(attempts: number, now: Date): Date | null {
  if (attempts >= MAX_ATTEMPTS) return null;
  const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempts - 1));
  return new Date(now.getTime() + delay);
}
