/**
 * Retention: deletes items older than `retention.days`, a batch per short transaction so
 * polls never wait long, keeping what published digests link to; then refreshes the
 * stories that lost items and regenerates the topic feeds that changed.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { AppContext } from '../src/app-context.ts';
import { pruneItemsBatch } from '../src/store/items.ts';
import { prunePollEvents } from '../src/store/poll-events.ts';
import { refreshStories } from '../src/store/stories.ts';
import { DELETE_BATCH } from './delete-sources.ts';
import { regenerateFeeds, type RegenerateContext } from './regenerate-feeds.ts';

/** Items per transaction, as for deleting a source (delete-sources.ts): never a long hold. */
const BATCH = DELETE_BATCH;

export type PruneContext = RegenerateContext & Pick<AppContext, 'config'>;

/** Returns how many items were deleted and the topics whose feeds changed (re-rendered). */
export async function pruneItems(ctx: PruneContext, options: { signal?: AbortSignal | undefined } = {}): Promise<{ deleted: number; topics: Set<string> }> {
  const { signal } = options;
  const cutoff = new Date(ctx.now().getTime() - ctx.config.retention.days * 86_400_000);
  const topics = new Set<string>();
  let deleted = 0;
  while (!signal?.aborted) {
    const batch = await ctx.db.transaction().execute(async (trx) => {
      const pruned = await pruneItemsBatch(trx, cutoff, BATCH);
      for (const topic of await refreshStories(trx, pruned.storyIds, ctx.now())) topics.add(topic);
      return pruned;
    });
    deleted += batch.deleted;
    if (batch.deleted < BATCH) break;
    // Let requests and polls run between two batches.
    await yieldToEventLoop();
  }
  const events = await prunePollEvents(ctx.db);
  if (deleted > 0 || events > 0)
    ctx.log.info({ component: 'prune', deleted, pollEvents: events, cutoff, topics: [...topics] }, 'old items and poll events pruned');
  if (topics.size > 0) await regenerateFeeds(ctx, { topics, kinds: ['feed'] });
  return { deleted, topics };
}
