/**
 * All SQL of an admin's story curation (src/admin/story-curation.ts): splitting an item out
 * of its story, merging stories, hiding and unhiding items. Each action is one transaction
 * under the story assignment lock (story-assignment.ts), so no poll's grouping places an item
 * in a story being taken apart, and it writes its curation_log entry in the same transaction.
 * The stories it touches are refreshed (stories.ts refreshStories: representative, counts,
 * topics); the caller re-renders the topics returned.
 *
 * What lasts: a split is kept in story_splits (the item, by source and item_key, stays out of
 * that story: the grouper filters its candidates, story-candidates.ts storiesKeptOut); a
 * merge moves the items themselves, and grouping never moves a grouped item, so merged
 * stories stay one; hidden_at is not among the columns a poll writes (items.ts), so a hidden
 * item stays hidden when its feed changes it.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { CurationAction, DB } from '../db/schema.ts';
import { logCuration } from './curation-log.ts';
import { refreshStories } from './stories.ts';
import { lockAssignment } from './story-assignment.ts';

export type CurationRefusal =
  | { refused: 'unknown_story'; storyIds: number[] }
  | { refused: 'unknown_item' }
  | { refused: 'not_in_story'; storyId: number }
  | { refused: 'only_item' }
  | { refused: 'already_hidden' | 'not_hidden' }
  /** Stored, but its poll has not grouped it yet (a moment). */
  | { refused: 'not_grouped' };

export interface CurationDone {
  refused?: undefined;
  logId: number;
  /** The story the action leaves the item(s) in. */
  storyId: number;
  /** Topics whose documents may have changed (before or after). */
  topics: Set<string>;
}

export interface Curator {
  actor: string;
  now: Date;
}

async function curate<T>(db: Kysely<DB>, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await lockAssignment(trx);
    return work(trx);
  });
}

async function log(trx: Transaction<DB>, who: Curator, action: CurationAction, storyIds: number[], itemIds: number[], detail: Record<string, unknown>) {
  return logCuration(trx, { at: who.now, actor: who.actor, action, storyIds, itemIds, detail });
}

async function lockedItem(trx: Transaction<DB>, itemId: number) {
  return trx
    .selectFrom('items')
    .select(['id', 'story_id', 'source_id', 'item_key', 'title', 'published_at', 'story_reason', 'hidden_at'])
    .where('id', '=', itemId)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Moves the item out of its story into a story of its own, and keeps it out of that story
 * for good (story_splits). The story keeps its id and guid: feed readers see it lose a copy.
 */
export async function splitItem(db: Kysely<DB>, storyId: number, itemId: number, who: Curator): Promise<CurationDone | CurationRefusal> {
  return curate(db, async (trx) => {
    const story = await trx.selectFrom('stories').select('id').where('id', '=', storyId).forUpdate().executeTakeFirst();
    if (story === undefined) return { refused: 'unknown_story', storyIds: [storyId] };
    const item = await lockedItem(trx, itemId);
    if (item === undefined) return { refused: 'unknown_item' };
    if (item.story_id !== storyId) return { refused: 'not_in_story', storyId: item.story_id };
    const { n } = await trx
      .selectFrom('items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('story_id', '=', storyId)
      .executeTakeFirstOrThrow();
    if (Number(n) < 2) return { refused: 'only_item' };
    const created = await trx
      .insertInto('stories')
      .values({ representative_item_id: item.id, published_at: item.published_at, first_seen_at: who.now, updated_at: who.now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('items')
      .set({ story_id: created.id, story_reason: JSON.stringify({ via: 'founded' }) })
      .where('id', '=', item.id)
      .execute();
    await trx
      .insertInto('story_splits')
      .values({ source_id: item.source_id, item_key: item.item_key, story_id: storyId, created_at: who.now })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const topics = await refreshStories(trx, [storyId, created.id], who.now);
    const logId = await log(trx, who, 'split', [storyId, created.id], [item.id], {
      fromStoryId: storyId,
      newStoryId: created.id,
      itemTitle: item.title,
      reasonBefore: item.story_reason,
    });
    return { logId, storyId: created.id, topics };
  });
}

/**
 * Makes one story of several: the oldest (first seen, then lowest id) keeps its id and guid,
 * so its feed entry keeps its id; the others' items move into it and the others are deleted.
 * Items that founded another story say so (story_reason `merged`). Splits between the merged
 * stories' items are undone; splits keeping other items out of a merged story now keep them
 * out of the merged one.
 */
export async function mergeStories(db: Kysely<DB>, storyIds: number[], who: Curator): Promise<CurationDone | CurationRefusal> {
  return curate(db, async (trx) => {
    const stories = await trx
      .selectFrom('stories')
      .select(['id', 'guid', 'first_seen_at'])
      .where('id', 'in', storyIds)
      .orderBy('first_seen_at')
      .orderBy('id')
      .forUpdate()
      .execute();
    const found = new Set(stories.map((s) => s.id));
    const missing = storyIds.filter((id) => !found.has(id));
    if (missing.length > 0) return { refused: 'unknown_story', storyIds: missing };
    const [target, ...others] = stories as [(typeof stories)[number], ...typeof stories];
    const otherIds = others.map((s) => s.id);
    await sql`
      update items set story_reason = jsonb_build_object('via', 'merged', 'fromStoryId', story_id)
      where story_id = any(${otherIds}::bigint[]) and coalesce(story_reason ->> 'via', 'founded') = 'founded'`.execute(trx);
    const moved = await trx.updateTable('items').set({ story_id: target.id }).where('story_id', 'in', otherIds).returning(['id', 'story_id']).execute();
    const cleared = await sql<{ item_key: string; story_id: number }>`
      delete from story_splits sp
      where sp.story_id = any(${[target.id, ...otherIds]}::bigint[])
        and exists (select 1 from items i where i.source_id = sp.source_id and i.item_key = sp.item_key and i.story_id = ${target.id})
      returning sp.item_key, sp.story_id`.execute(trx);
    await sql`
      with gone as (delete from story_splits where story_id = any(${otherIds}::bigint[]) returning source_id, item_key, created_at)
      insert into story_splits (source_id, item_key, story_id, created_at)
      select source_id, item_key, ${target.id}, min(created_at) from gone group by source_id, item_key
      on conflict do nothing`.execute(trx);
    const topics = await refreshStories(trx, [target.id, ...otherIds], who.now);
    const movedIds = moved.map((m) => m.id);
    const logId = await log(trx, who, 'merge', [target.id, ...otherIds], movedIds, {
      intoStoryId: target.id,
      intoGuid: target.guid,
      mergedStories: others.map((s) => ({ id: s.id, guid: s.guid })),
      clearedSplits: cleared.rows.length,
    });
    return { logId, storyId: target.id, topics };
  });
}

/** Hides or unhides an item: it stays in its story, which is refreshed (its representative, counts and topics). */
export async function setItemHidden(db: Kysely<DB>, itemId: number, hidden: boolean, who: Curator): Promise<CurationDone | CurationRefusal> {
  return curate(db, async (trx) => {
    const item = await lockedItem(trx, itemId);
    if (item === undefined) return { refused: 'unknown_item' };
    if ((item.hidden_at !== null) === hidden) return { refused: hidden ? 'already_hidden' : 'not_hidden' };
    if ((await trx.selectFrom('stories').select('id').where('id', '=', item.story_id).executeTakeFirst()) === undefined) return { refused: 'not_grouped' };
    await trx
      .updateTable('items')
      .set(hidden ? { hidden_at: who.now, hidden_by: who.actor } : { hidden_at: null, hidden_by: null })
      .where('id', '=', itemId)
      .execute();
    const topics = await refreshStories(trx, [item.story_id], who.now);
    const logId = await log(trx, who, hidden ? 'hide' : 'unhide', [item.story_id], [item.id], {
      itemTitle: item.title,
      ...(hidden ? {} : { hiddenSince: item.hidden_at }),
    });
    return { logId, storyId: item.story_id, topics };
  });
}
