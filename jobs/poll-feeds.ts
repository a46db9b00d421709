/**
 * The poll job: claims due sources in small batches and refreshes them with at most
 * `polling.concurrency` in flight, until none is due. Several instances may run it at
 * once on one Postgres: the claim (FOR UPDATE SKIP LOCKED + lease) keeps them apart.
 */
import { followDeferredMove, refreshSource, type DeferredMove, type RefreshContext, type RefreshResult } from '../src/ingest/refresh-source.ts';
import { recordPollEvents, type NewPollEvent } from '../src/store/poll-events.ts';
import { claimDueSources, recordNotModified, releaseLease, releaseOwnLeases, type NotModifiedPoll } from '../src/store/sources.ts';
import type { Source } from '../src/db/schema.ts';
import { regenerateFeeds, type RegenerateContext } from './regenerate-feeds.ts';

export interface PollOptions {
  /** Poll only this source, due or not. */
  sourceUrl?: string | undefined;
  /** Aborting stops claiming and cancels in-flight fetches; their leases are released. */
  signal?: AbortSignal | undefined;
}

/** How long a claim lasts: well beyond one poll's time budget, so only a dead poller loses it. */
export function leaseSeconds(timeoutMs: number): number {
  return Math.max(300, Math.ceil((timeoutMs * 3) / 1000));
}

/** Per lease owner, the sources a pollFeeds call of this process has claimed and not finished. */
const claimedByOwner = new Map<string, Set<number>>();

/** Poll events (and 304 outcomes) buffered before one statement. */
const EVENT_BATCH = 64;

export async function pollFeeds(ctx: RefreshContext, options: PollOptions = {}): Promise<RefreshResult[]> {
  const { concurrency } = ctx.polling;
  const results: RefreshResult[] = [];
  // Each poll's story grouping, which finishes after the poll (refresh-source.ts).
  const groupings: Array<Promise<string[]>> = [];
  // Poll events, written a batch at a time (a statement per poll was most of a 304's cost).
  const events: NewPollEvent[] = [];
  // 304 outcomes, written a batch at a time too (refresh-source.ts leaves them to us).
  const notModified: NotModifiedPoll[] = [];
  // Redirects onto a source polled in this cycle: merged once every poll is recorded.
  const deferredMoves: Array<{ move: DeferredMove; result: RefreshResult }> = [];
  // Until its outcome is written a 304 source keeps its lease (and stays in `claimed`), so
  // no poller claims it again.
  const flush = async () => {
    const recorded = notModified.splice(0);
    try {
      await recordNotModified(ctx.db, recorded);
    } finally {
      for (const poll of recorded) claimed.delete(poll.sourceId);
    }
    await recordPollEvents(ctx.db, events.splice(0));
  };
  const queue: Source[] = [];
  let exhausted = false;
  let claiming: Promise<void> | null = null;
  const claimed = claimedByOwner.get(ctx.owner) ?? new Set<number>();
  claimedByOwner.set(ctx.owner, claimed);

  // Leases this process took but could not give back (the database went away mid-poll)
  // would block their sources until they expire; free them, sparing polls still running.
  const freed = await releaseOwnLeases(ctx.db, ctx.owner, [...claimed]);
  if (freed > 0) ctx.log.info({ sources: freed }, 'released leases left by an interrupted poll');

  // One claim at a time, a batch the size of the worker pool: claimed sources start within
  // one poll's time, so their leases never lapse while they wait.
  const refill = () =>
    (claiming ??= claimDueSources(ctx.db, {
      owner: ctx.owner,
      now: ctx.now(),
      leaseSeconds: leaseSeconds(ctx.polling.timeoutMs),
      limit: options.sourceUrl === undefined ? concurrency : 1,
      url: options.sourceUrl,
    })
      .then((batch) => {
        for (const source of batch) claimed.add(source.id);
        queue.push(...batch);
        if (batch.length === 0 || options.sourceUrl !== undefined) exhausted = true;
      })
      .finally(() => {
        claiming = null;
      }));

  // A database error stops the cycle (every worker would hit it too); feed errors never do.
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (!options.signal?.aborted && failure === null) {
      try {
        if (queue.length === 0) {
          if (exhausted) return;
          await refill();
          continue;
        }
        const source = queue.shift()!;
        const polled = await refreshSource(ctx, source, options.signal).catch((error: unknown) => {
          claimed.delete(source.id);
          throw error;
        });
        const { result } = polled;
        results.push(result);
        groupings.push(polled.grouped);
        if (polled.deferredMove) deferredMoves.push({ move: polled.deferredMove, result });
        if (polled.notModified) notModified.push(polled.notModified);
        else claimed.delete(source.id);
        // The source row keeps only the latest outcome; the events give admins its history.
        if (result.outcome !== 'released') events.push(pollEventOf(result, result.outcome, ctx.now()));
        if (events.length >= EVENT_BATCH) await flush();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // Claimed but never started (shutdown or failure): give them back for the next poller.
  await Promise.allSettled(queue.splice(0).map((source) => releaseLease(ctx.db, source.id, ctx.owner).finally(() => claimed.delete(source.id))));
  await flush().catch((error: unknown) => {
    failure ??= { error };
  });
  // The polls' changed topics are known once their items are grouped.
  await Promise.all(groupings);
  if (failure !== null) throw (failure as { error: unknown }).error;
  for (const { move, result } of deferredMoves) result.changedTopics = [...new Set([...result.changedTopics, ...(await followDeferredMove(ctx, move))])];
  return results;
}

function pollEventOf(result: RefreshResult, outcome: NewPollEvent['outcome'], polledAt: Date): NewPollEvent {
  return {
    sourceId: result.sourceId,
    polledAt,
    outcome,
    status: result.status,
    errorCode: result.errorCode,
    errorMessage: result.errorMessage,
    newItems: result.newItems,
    updatedItems: result.updatedItems,
    durationMs: result.durationMs,
  };
}

/** One poll cycle, then the topic feeds it changed are regenerated. */
export async function pollAndRegenerate(refresh: RefreshContext, regenerate: RegenerateContext, options: PollOptions = {}): Promise<RefreshResult[]> {
  const results = await pollFeeds(refresh, options);
  // Also groups items a crashed poller committed but never grouped.
  const leftover = await refresh.stories.group();
  const topics = new Set([...results.flatMap((r) => r.changedTopics), ...leftover.topics]);
  if (topics.size > 0) await regenerateFeeds(regenerate, topics, ['feed']);
  return results;
}
