/**
 * Listing, inspecting, changing, refreshing and deleting sources. Every change that
 * alters what a topic feed shows also re-renders that feed before returning.
 *
 * Config sources (origin `config`, from feeds.config.json) may be changed and deleted
 * like any other, but the file wins at the next start: their topics (and title, when
 * the file gives one) are reset from it, and a deleted one is added again. Pausing and
 * the poll interval do persist. The answers say so.
 */
import type { RefreshResult } from '../ingest/refresh-source.ts';
import { recentItemsOfSource, type ItemSummary } from '../store/item-lists.ts';
import { recentPollEvents } from '../store/poll-events.ts';
import { markSourceForDeletion } from '../store/source-deletion.ts';
import { updateSource, type SourcePatch } from '../store/source-admin.ts';
import { findSourceHealth, listSourcesWithHealth } from '../store/source-reads.ts';
import type { AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { pollEventView, sourceView, type PollEventView, type SourceView } from './source-view.ts';
import { checkPollInterval, checkSourceId, checkTitle, checkTopics } from './validate.ts';
import { CONFIG_NOTES } from './wording.ts';

const DETAIL_ITEMS = 20;
const DETAIL_EVENTS = 20;

export async function listSources(ctx: AdminContext): Promise<SourceView[]> {
  const now = ctx.now();
  return (await listSourcesWithHealth(ctx.db, now)).map((source) => sourceView(source, now));
}

export interface SourceDetail {
  source: SourceView;
  /** Its newest items, newest first. */
  /** `truncated`: fields the publisher sent longer than their cap (cut at ingest). */
  /** `storyId`: its story (GET /admin/api/stories/:id); `hidden`: an admin hid it (story-curation.ts). */
  items: Array<{
    id: number;
    title: string;
    url: string | null;
    publishedAt: Date;
    firstSeenAt: Date;
    topics: string[];
    truncated: string[];
    storyId: number;
    hidden: boolean;
  }>;
  /** Its latest polls, newest first: the error history. */
  events: PollEventView[];
}

export async function getSource(ctx: AdminContext, id: number): Promise<SourceDetail> {
  const source = await requireSource(ctx, id);
  const [items, events] = await Promise.all([recentItemsOfSource(ctx.db, id, DETAIL_ITEMS), recentPollEvents(ctx.db, id, DETAIL_EVENTS)]);
  return { source, items: items.map(itemView), events: events.map(pollEventView) };
}

function itemView(item: ItemSummary): SourceDetail['items'][number] {
  return {
    id: item.id,
    title: item.title,
    url: item.url,
    publishedAt: item.published_at,
    firstSeenAt: item.first_seen_at,
    topics: item.topics,
    truncated: item.truncated,
    storyId: item.story_id,
    hidden: item.hidden_at !== null,
  };
}

async function requireSource(ctx: AdminContext, id: number): Promise<SourceView> {
  const now = ctx.now();
  const row = await findSourceHealth(ctx.db, checkSourceId(id), now);
  if (row === undefined) throw new AdminError('not_found', 'unknown_source', `no source #${id}`);
  return sourceView(row, now);
}

export interface SourceChanges {
  title?: string | null | undefined;
  topics?: readonly string[] | undefined;
  enabled?: boolean | undefined;
  pollIntervalSeconds?: number | null | undefined;
  /** Fetch each new or changed item's page and use its article as the content. */
  fullContent?: boolean | undefined;
}

export interface UpdatedSource {
  source: SourceView;
  note?: string;
}

/** Applies the changes; new topics re-classify the source's items and re-render the feeds they affect. */
export async function changeSource(ctx: AdminContext, id: number, changes: SourceChanges): Promise<UpdatedSource> {
  const patch: SourcePatch = {
    title: changes.title === undefined ? undefined : checkTitle(changes.title),
    topics: changes.topics === undefined ? undefined : checkTopics(ctx, changes.topics),
    enabled: changes.enabled,
    pollIntervalSeconds: checkPollInterval(changes.pollIntervalSeconds),
    fullContent: changes.fullContent,
  };
  const before = await requireSource(ctx, id);
  if (before.state === 'deleting')
    throw new AdminError('conflict', 'source_deleting', `source #${id} is being deleted (${before.itemsTotal} items left); it cannot be changed`);
  await updateSource(ctx.db, id, patch, ctx.now());
  ctx.log.info({ action: 'source.update', sourceId: id, url: before.url, changes: patch }, 'admin changed a source');
  const topicsChanged = patch.topics !== undefined && [...patch.topics].sort().join('\n') !== [...before.topics].sort().join('\n');
  if (topicsChanged) {
    await ctx.actions.reclassifySources(new Set([id]));
  }
  const source = await requireSource(ctx, id);
  const fullContentChanged = patch.fullContent !== undefined && patch.fullContent !== before.fullContent;
  const configNote = before.origin === 'config' && (topicsChanged || fullContentChanged || (patch.title !== undefined && patch.title !== before.title));
  return configNote ? { source, note: CONFIG_NOTES.update } : { source };
}

export interface DeletedSourceSummary {
  source: SourceView;
  /** 'deleted': gone with its items; 'deleting': its items are being deleted in the background. */
  status: 'deleted' | 'deleting';
  /** Items deleted with it. */
  deletedItems: number;
  /** Items still to delete (status 'deleting'). */
  pendingItems: number;
  note?: string;
}

/**
 * Sources with more items than this are deleted in the background (the delete-sources job),
 * the answer given at once: a request never waits for a large deletion. Fewer are deleted
 * before the answer, in the same short batches.
 */
export const INLINE_DELETE_LIMIT = 2_000;

/** Deletes a source with its items; the topic feeds they were in are re-rendered without them. */
export async function removeSource(ctx: AdminContext, id: number): Promise<DeletedSourceSummary> {
  const before = await requireSource(ctx, id);
  const marked = await markSourceForDeletion(ctx.db, id, ctx.now());
  if (marked === undefined) throw new AdminError('not_found', 'unknown_source', `no source #${id}`);
  const note = before.origin === 'config' ? { note: CONFIG_NOTES.delete } : {};
  const background = marked.items > INLINE_DELETE_LIMIT && ctx.actions.deleteInBackground !== undefined;
  ctx.log.info({ action: 'source.delete', sourceId: id, url: before.url, origin: before.origin, items: marked.items, background }, 'admin deleted a source');
  if (background) {
    ctx.actions.deleteInBackground!();
    const source = await requireSource(ctx, id);
    return { source, status: 'deleting', deletedItems: 0, pendingItems: marked.items, ...note };
  }
  const deleted = await ctx.actions.deleteMarkedSource(id);
  return { source: before, status: 'deleted', deletedItems: deleted.items, pendingItems: 0, ...note };
}

export interface RefreshedSource {
  result: RefreshResult;
  source: SourceView;
}

/** Polls the source now, due or not, and re-renders the feeds that changed. */
export async function refreshSourceNow(ctx: AdminContext, id: number): Promise<RefreshedSource> {
  const before = await requireSource(ctx, id);
  if (!before.enabled) {
    throw new AdminError(
      'conflict',
      'source_disabled',
      `source #${id} is ${before.state} (${before.disabledReason ?? 'disabled'}); resume it before refreshing`,
    );
  }
  const [result] = await ctx.actions.pollSource(before.url);
  if (result === undefined) throw new AdminError('conflict', 'source_busy', `source #${id} is being polled right now; try again in a moment`);
  ctx.log.info({ action: 'source.refresh', sourceId: id, url: before.url, outcome: result.outcome }, 'admin refreshed a source');
  return { result, source: await requireSource(ctx, id) };
}
