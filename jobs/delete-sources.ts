/**
 * Deletes the sources an admin removed, a batch of items per short transaction, so a source
 * of any size goes without holding the database (or, on the embedded database, the event
 * loop) for long: the HTTP server keeps answering between batches. Returns the topics whose
 * feeds changed, re-rendered before it returns.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { deleteMarkedSourceRow, deleteSourceItemsBatch, sourcesBeingDeleted } from '../src/store/source-deletion.ts';
import { regenerateFeeds, type RegenerateContext } from './regenerate-feeds.ts';

/** Items per transaction: short enough that a poll or a request never waits long behind one. */
export const DELETE_BATCH = 250;

export type DeleteContext = RegenerateContext;

export interface DeleteOptions {
  /** Aborting stops between batches; the next run resumes. */
  signal?: AbortSignal | undefined;
  /** Only this source (an admin's inline deletion). */
  only?: number | undefined;
  onProgress?: ((progress: DeletionProgress) => void) | undefined;
}

export interface DeletedSources {
  sources: number[];
  items: number;
  topics: Set<string>;
}

export interface DeletionProgress {
  sourceId: number;
  deletedItems: number;
}

/** Finishes every marked source (or only `only`); aborting stops between batches, to be resumed by the next run. */
export async function deleteMarkedSources(ctx: DeleteContext, options: DeleteOptions = {}): Promise<DeletedSources> {
  const deleted = await deleteInBatches(ctx, options);
  // Re-rendered even when cut short: the items already gone must leave the feeds.
  if (deleted.topics.size > 0) await regenerateFeeds(ctx, { topics: deleted.topics, kinds: ['feed'] });
  return deleted;
}

async function deleteInBatches(ctx: DeleteContext, options: DeleteOptions): Promise<DeletedSources> {
  const topics = new Set<string>();
  const done: number[] = [];
  let items = 0;
  const ids = (await sourcesBeingDeleted(ctx.db)).filter((id) => options.only === undefined || id === options.only);
  for (const id of ids) {
    let deletedItems = 0;
    for (;;) {
      if (options.signal?.aborted) return { sources: done, items, topics };
      const batch = await deleteSourceItemsBatch(ctx.db, id, DELETE_BATCH, ctx.now());
      for (const topic of batch.topics) topics.add(topic);
      deletedItems += batch.deleted;
      items += batch.deleted;
      options.onProgress?.({ sourceId: id, deletedItems });
      if (batch.deleted < DELETE_BATCH) break;
      // Let requests and polls run between two batches.
      await yieldToEventLoop();
    }
    const source = await deleteMarkedSourceRow(ctx.db, id);
    if (source !== undefined) {
      done.push(id);
      ctx.log.info({ component: 'delete', action: 'source.deleted', sourceId: id, url: source.url, deletedItems }, 'source deleted with its items');
    }
  }
  return { sources: done, items, topics };
}
