/**
 * Reading stories for the admin (src/admin/story-view.ts): a topic's stories a page at a time,
 * one story with every item (hidden ones too) and why each joined, and the splits that keep
 * items apart. Readers' documents are read elsewhere (stories.ts, search.ts, topic-archive.ts).
 */
import { sql, type Kysely } from 'kysely';
import type { DB, StoryReason } from '../db/schema.ts';

export interface StoryRow {
  id: number;
  guid: string;
  published_at: Date;
  first_seen_at: Date;
  updated_at: Date;
  /** Visible items and their sources (stories.ts refreshStories). */
  item_count: number;
  source_count: number;
  representative_item_id: number | null;
  /** The representative's title and link. */
  title: string | null;
  url: string | null;
}

const STORY_COLUMNS = [
  's.id',
  's.guid',
  's.published_at',
  's.first_seen_at',
  's.updated_at',
  's.item_count',
  's.source_count',
  's.representative_item_id',
  'i.title',
  'i.url',
] as const;

/** Where a page of a topic's stories starts: below this story in the feed's order. */
export interface StoryCursor {
  publishedAt: Date;
  storyId: number;
}

/** A topic's stories, newest first as in its feed, `limit` of them, below `before` when given. */
export async function topicStories(db: Kysely<DB>, topic: string, limit: number, before?: StoryCursor): Promise<StoryRow[]> {
  let query = db
    .selectFrom('story_topics as st')
    .innerJoin('stories as s', 's.id', 'st.story_id')
    .leftJoin('items as i', 'i.id', 's.representative_item_id')
    .select(STORY_COLUMNS)
    .where('st.topic', '=', topic);
  if (before !== undefined) query = query.where(sql<boolean>`(st.published_at, st.story_id) < (${before.publishedAt}::timestamptz, ${before.storyId}::bigint)`);
  return query.orderBy('st.published_at', 'desc').orderBy('st.story_id', 'desc').limit(limit).execute();
}

/** Where the topic's list stands for this story (null: the story is not in the topic). */
export async function topicStoryCursor(db: Kysely<DB>, topic: string, storyId: number): Promise<StoryCursor | null> {
  const row = await db
    .selectFrom('story_topics')
    .select(['published_at', 'story_id'])
    .where('topic', '=', topic)
    .where('story_id', '=', storyId)
    .executeTakeFirst();
  return row ? { publishedAt: row.published_at, storyId: row.story_id } : null;
}

export async function findStory(db: Kysely<DB>, id: number): Promise<StoryRow | undefined> {
  return db
    .selectFrom('stories as s')
    .leftJoin('items as i', 'i.id', 's.representative_item_id')
    .select(STORY_COLUMNS)
    .where('s.id', '=', id)
    .executeTakeFirst();
}

export async function storyTopicSlugs(db: Kysely<DB>, id: number): Promise<string[]> {
  const rows = await db.selectFrom('story_topics').select('topic').where('story_id', '=', id).orderBy('topic').execute();
  return rows.map((r) => r.topic);
}

export interface StoryItemRow {
  id: number;
  story_id: number;
  source_id: number;
  source_title: string | null;
  source_url: string;
  url: string | null;
  title: string;
  published_at: Date;
  hidden_at: Date | null;
  hidden_by: string | null;
  story_reason: StoryReason | null;
}

const ITEM_COLUMNS = [
  'i.id',
  'i.story_id',
  'i.source_id',
  'src.title as source_title',
  'src.url as source_url',
  'i.url',
  'i.title',
  'i.published_at',
  'i.hidden_at',
  'i.hidden_by',
  'i.story_reason',
] as const;

/** Every item of the story, hidden ones too, oldest first. */
export async function storyItems(db: Kysely<DB>, storyId: number): Promise<StoryItemRow[]> {
  return db
    .selectFrom('items as i')
    .innerJoin('sources as src', 'src.id', 'i.source_id')
    .select(ITEM_COLUMNS)
    .where('i.story_id', '=', storyId)
    .orderBy('i.published_at')
    .orderBy('i.id')
    .execute();
}

/** These items (a reason's matched items), wherever they are now. */
export async function itemsByIds(db: Kysely<DB>, ids: number[]): Promise<StoryItemRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('items as i').innerJoin('sources as src', 'src.id', 'i.source_id').select(ITEM_COLUMNS).where('i.id', 'in', ids).execute();
}

export interface StorySplitRow {
  /** The item kept out, while it is stored (null: deleted by retention; it stays out if listed again). */
  item_id: number | null;
  item_title: string | null;
  /** The story the item is in now. */
  item_story_id: number | null;
  /** The story it is kept out of. */
  story_id: number;
  created_at: Date;
}

/** The splits keeping items out of this story, and those keeping this story's items out of others. */
export async function splitsAround(db: Kysely<DB>, storyId: number): Promise<StorySplitRow[]> {
  const rows = await sql<StorySplitRow>`
    select i.id as item_id, i.title as item_title, i.story_id as item_story_id, sp.story_id, sp.created_at
    from story_splits sp
    left join items i on i.source_id = sp.source_id and i.item_key = sp.item_key
    where sp.story_id = ${storyId}
       or exists (select 1 from items m where m.story_id = ${storyId} and m.source_id = sp.source_id and m.item_key = sp.item_key)
    order by sp.created_at, sp.story_id`.execute(db);
  return rows.rows;
}
