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
  const topics = new Set<string>();
  const done: number[] = [];
  let items = 0;
  const ids = (await sourcesBeingDeleted(ctx.db)).filter((id) => options.only === undefined || id === options.only);
  for (const id of ids) {
    const source = await deleteItemsOf(ctx, id, options);
    items += source.deletedItems;
    for (const topic of source.topics) topics.add(topic);
    if (!source.complete) {
      // Re-rendered even when cut short: the items already gone must leave the feeds.
      if (topics.size > 0) await regenerateFeeds(ctx, { topics, kinds: ['feed'] });
      return { sources: done, items, topics };
    }
    // The feeds are re-rendered before the row goes, so once an admin sees the source gone
    // (404), no topic document still carries its items.
    if (source.topics.size > 0) await regenerateFeeds(ctx, { topics: source.topics, kinds: ['feed'] });
    if (await removeRow(ctx, id, source.deletedItems)) done.push(id);
  }
  return { sources: done, items, topics };
}

interface SourceItemsDeleted {
  deletedItems: number;
  topics: Set<string>;
  /** False when aborted before the last batch. */
  complete: boolean;
}

async function deleteItemsOf(ctx: DeleteContext, id: number, options: DeleteOptions): Promise<SourceItemsDeleted> {
  const topics = new Set<string>();
  let deletedItems = 0;
  for (;;) {
    if (options.signal?.aborted) return { deletedItems, topics, complete: false };
    const batch = await deleteSourceItemsBatch(ctx.db, id, DELETE_BATCH, ctx.now());
    for (const topic of batch.topics) topics.add(topic);
    deletedItems += batch.deleted;
    options.onProgress?.({ sourceId: id, deletedItems });
    if (batch.deleted < DELETE_BATCH) return { deletedItems, topics, complete: true };
    // Let requests and polls run between two batches.
    await yieldToEventLoop();
  }
}

async function removeRow(ctx: DeleteContext, id: number, deletedItems: number): Promise<boolean> {
  const source = await deleteMarkedSourceRow(ctx.db, id);
  if (source === undefined) return false;
  ctx.log.info({ component: 'delete', action: 'source.deleted', sourceId: id, url: source.url, deletedItems }, 'source deleted with its items');
  return true;
}
