/**
 * The poll job: claims due sources in small batches and refreshes them with at most
 * `polling.concurrency` in flight, until none is due; then groups what a crashed poller
 * left ungrouped and re-renders the topic feeds the cycle changed. Several instances may
 * run it at once on one Postgres: the claim (FOR UPDATE SKIP LOCKED + lease) keeps them
 * apart. Each refresh records its own outcome (src/ingest/refresh-source.ts).
 */
import { leaseSeconds, type AppContext } from '../src/app-context.ts';
import type { Source } from '../src/db/schema.ts';
import { followDeferredMove, refreshSource, type DeferredMove, type RefreshContext, type RefreshResult } from '../src/ingest/refresh-source.ts';
import { claimDueSources, releaseLease, releaseOwnLeases } from '../src/store/source-claims.ts';
import { regenerateFeeds, type RegenerateContext } from './regenerate-feeds.ts';

export type PollContext = RefreshContext & RegenerateContext & Pick<AppContext, 'claims'>;

export interface PollOptions {
  /** Poll only this source, due or not. */
  sourceUrl?: string | undefined;
  /** Aborting stops claiming and cancels in-flight fetches; their leases are released. */
  signal?: AbortSignal | undefined;
}

/** One poll cycle; the topic feeds it changed are re-rendered before it returns. */
export async function pollFeeds(ctx: PollContext, options: PollOptions = {}): Promise<RefreshResult[]> {
  const results = await pollCycle(ctx, options);
  // Also groups items a crashed poller committed but never grouped.
  const leftover = await ctx.stories.group();
  const topics = new Set([...results.flatMap((r) => r.changedTopics), ...leftover.topics]);
  if (topics.size > 0) await regenerateFeeds(ctx, { topics, kinds: ['feed'] });
  return results;
}

async function pollCycle(ctx: PollContext, options: PollOptions): Promise<RefreshResult[]> {
  const { concurrency, timeoutMs } = ctx.config.polling;
  const { claims } = ctx;
  const results: RefreshResult[] = [];
  // Each poll's story grouping, which finishes after the poll (refresh-source.ts).
  const groupings: Array<Promise<string[]>> = [];
  // Redirects onto a source polled in this cycle: merged once every poll is recorded.
  const deferredMoves: Array<{ move: DeferredMove; result: RefreshResult }> = [];
  const queue: Source[] = [];
  let exhausted = false;
  let claiming: Promise<void> | null = null;

  // Leases this process took but could not give back (the database went away mid-poll)
  // would block their sources until they expire; free them, sparing polls still running.
  const freed = await releaseOwnLeases(ctx.db, ctx.owner, [...claims]);
  if (freed > 0) ctx.log.info({ sources: freed }, 'released leases left by an interrupted poll');

  // One claim at a time, a batch the size of the worker pool: claimed sources start within
  // one poll's time, so their leases never lapse while they wait.
  const refill = () =>
    (claiming ??= claimDueSources(ctx.db, {
      owner: ctx.owner,
      now: ctx.now(),
      leaseSeconds: leaseSeconds(timeoutMs),
      limit: options.sourceUrl === undefined ? concurrency : 1,
      url: options.sourceUrl,
    })
      .then((batch) => {
        for (const source of batch) claims.add(source.id);
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
        // Until its outcome is written a source keeps its lease and stays in `claims`.
        const polled = await refreshSource(ctx, source, options.signal).finally(() => claims.delete(source.id));
        results.push(polled.result);
        groupings.push(polled.grouped);
        if (polled.deferredMove) deferredMoves.push({ move: polled.deferredMove, result: polled.result });
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // Claimed but never started (shutdown or failure): give them back for the next poller.
  await Promise.allSettled(queue.splice(0).map((source) => releaseLease(ctx.db, source.id, ctx.owner).finally(() => claims.delete(source.id))));
  // The polls' changed topics are known once their items are grouped.
  await Promise.all(groupings);
  if (failure !== null) throw (failure as { error: unknown }).error;
  for (const { move, result } of deferredMoves) result.changedTopics = [...new Set([...result.changedTopics, ...(await followDeferredMove(ctx, move))])];
  return results;
}
