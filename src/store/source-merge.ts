/**
 * All SQL of following a source's permanent redirect (RFC 9110 §15.4.2, §15.4.9): the source
 * takes its feed's new URL or, when another source is already polled there, is merged into
 * that one, so one feed is fetched once per cycle and is not listed as two outlets.
 */
import { sql, type Transaction } from 'kysely';
import type { DB, Source } from '../db/schema.ts';
import { DISABLED_REASONS } from './disabled-reasons.ts';
import { setItemTopics, type ClassifiableRow } from './items.ts';
import { refreshStories } from './stories.ts';

/** An item's topics given its source (declared topics, and title and URL for `source:` rules; classify.ts), for items whose source's topics a merge changed. */
export type ClassifyStoredItem = (item: ClassifiableRow, source: { topics: readonly string[]; title: string | null; url: string }) => string[];

export interface SourceMerge {
  kind: 'merged';
  /** The source that was already at the new URL, with the joined topics. */
  into: { id: number; url: string; topics: string[] };
  /** Items that moved to it, and duplicates of items it had (same item_key), dropped. */
  movedItems: number;
  droppedItems: number;
  /** Topics whose feeds changed (to regenerate). */
  topics: Set<string>;
}

export type RedirectOutcome =
  /** The source's URL changed; `topics`: those whose feeds show it (its items' stories name its feed URL). */
  | { kind: 'moved'; topics: Set<string> }
  /**
   * The URL stays: another source has it and cannot take this one's place. `retry`: only
   * because that source is being polled right now (try again once its poll is recorded).
   */
  | { kind: 'kept'; reason: string; retry?: boolean }
  | SourceMerge;

/** Merged sources point at their target; a chain longer than this is not followed. */
const MAX_CHAIN = 16;
const STORY_PAGE = 1000;

const SOURCE_COLUMNS = ['id', 'url', 'title', 'topics', 'enabled', 'disabled_reason', 'merged_into_id', 'lease_until'] as const;

/**
 * Points source `sourceId` at `newUrl`, where its feed now permanently redirects. When
 * another source already has that URL (or stands for it, being merged into a third one),
 * this source is merged into that one, in the caller's transaction:
 * - the target's topics become the union of both;
 * - this source's items move to it, except those whose item_key it already has: its copy
 *   stays and the duplicate goes; the target's items are re-classified under the joined
 *   topics, and the stories all these items are in are refreshed (a story whose
 *   representative went picks another, one left empty goes);
 * - this source is disabled with the reason, and its row keeps its URL (merged_into_id), so
 *   the config sync neither polls nor re-creates it.
 * No merge into a disabled source (the feed would no longer be polled at all) or into one
 * being polled at this moment (their item writes would collide): this source keeps its URL,
 * and its next poll tries again.
 */
export async function followPermanentRedirect(
  trx: Transaction<DB>,
  sourceId: number,
  newUrl: string,
  now: Date,
  classifyItem: ClassifyStoredItem,
): Promise<RedirectOutcome> {
  // Locked, so no poller claims the target (claims skip locked rows) until this commits.
  const rows = await trx
    .selectFrom('sources')
    .select(SOURCE_COLUMNS)
    .where((eb) => eb.or([eb('id', '=', sourceId), eb('url', '=', newUrl)]))
    .forUpdate()
    .execute();
  const source = rows.find((r) => r.id === sourceId);
  let target = rows.find((r) => r.url === newUrl);
  if (source === undefined) return { kind: 'kept', reason: 'the source no longer exists' };
  if (target === undefined) {
    await trx
      .updateTable('sources')
      .set((eb) => ({ url: newUrl, previous_urls: sql<string[]>`array_append(${eb.ref('previous_urls')}, ${source.url})`, updated_at: now }))
      .where('id', '=', sourceId)
      .execute();
    const shown = await trx
      .selectFrom('story_topics')
      .select('topic')
      .distinct()
      .where('story_id', 'in', (eb) => eb.selectFrom('items').select('story_id').where('source_id', '=', sourceId))
      .execute();
    return { kind: 'moved', topics: new Set(shown.map((row) => row.topic)) };
  }
  for (let hops = 0; target.merged_into_id !== null && hops < MAX_CHAIN; hops++) {
    const next = await trx.selectFrom('sources').select(SOURCE_COLUMNS).where('id', '=', target.merged_into_id).forUpdate().executeTakeFirst();
    if (next === undefined) break;
    target = next;
  }
  if (target.id === sourceId) return { kind: 'kept', reason: `${newUrl} was merged into this source` };
  if (!target.enabled) return { kind: 'kept', reason: `source #${target.id} at ${newUrl} is disabled (${target.disabled_reason ?? 'no reason given'})` };
  if (target.lease_until !== null && target.lease_until > now)
    return { kind: 'kept', reason: `source #${target.id} at ${newUrl} is being polled; merging once its poll is recorded`, retry: true };
  return merge(trx, source, target, now, classifyItem);
}

type SourceRow = Pick<Source, (typeof SOURCE_COLUMNS)[number]>;

async function merge(trx: Transaction<DB>, source: SourceRow, target: SourceRow, now: Date, classifyItem: ClassifyStoredItem): Promise<SourceMerge> {
  const topics = [...target.topics, ...source.topics.filter((t) => !target.topics.includes(t))];
  const dropped = await sql<{ story_id: number }>`
    delete from items d
    where d.source_id = ${source.id}
      and exists (select 1 from items t where t.source_id = ${target.id} and t.item_key = d.item_key)
    returning d.story_id`.execute(trx);
  const moved = await trx.updateTable('items').set({ source_id: target.id }).where('source_id', '=', source.id).returning('story_id').execute();
  // Items an admin split out of a story stay out of it under their new source (story-curation.ts).
  await sql`
    with gone as (delete from story_splits where source_id = ${source.id} returning item_key, story_id, created_at)
    insert into story_splits (source_id, item_key, story_id, created_at) select ${target.id}, item_key, story_id, created_at from gone
    on conflict do nothing`.execute(trx);
  await trx.updateTable('sources').set({ topics, updated_at: now }).where('id', '=', target.id).execute();
  await trx
    .updateTable('sources')
    .set({
      enabled: false,
      disabled_reason: DISABLED_REASONS.mergedInto(target.id, target.url),
      merged_into_id: target.id,
      lease_owner: null,
      lease_until: null,
      updated_at: now,
    })
    .where('id', '=', source.id)
    .execute();

  // A source's declared topics take in all its items (classify.ts): the target's now include
  // the merged source's topics, and the moved items the target's.
  const stored = await trx
    .selectFrom('items')
    .select((eb) => [
      'id',
      'source_id',
      'story_id',
      'title',
      'summary',
      'categories',
      'author',
      eb.fn.coalesce('full_content_html', 'content_html').as('content_html'),
      'topics',
    ])
    .where('source_id', '=', target.id)
    .execute();
  const reclassified = stored
    .map((row) => ({ row, topics: classifyItem(row, { topics, title: target.title, url: target.url }) }))
    .filter(({ row, topics: next }) => next.join('\u0000') !== row.topics.join('\u0000'));
  await setItemTopics(
    trx,
    reclassified.map(({ row, topics: next }) => ({ id: row.id, topics: next })),
  );

  const storyIds = [
    ...new Set([...dropped.rows, ...moved, ...reclassified.map((r) => r.row)].map((r) => r.story_id).filter((id): id is number => id !== null)),
  ];
  const changed = new Set<string>();
  for (let start = 0; start < storyIds.length; start += STORY_PAGE) {
    for (const topic of await refreshStories(trx, storyIds.slice(start, start + STORY_PAGE), now)) changed.add(topic);
  }
  return {
    kind: 'merged',
    into: { id: target.id, url: target.url, topics },
    movedItems: moved.length,
    droppedItems: dropped.rows.length,
    topics: changed,
  };
}
