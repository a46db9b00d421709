/**
 * All SQL about topic archives (RFC 5005 §4 "Archived Feeds"). A topic's stories are
 * archived in pages of ARCHIVE_PAGE_SIZE: whenever that many of its stories are not
 * archived yet, the oldest of them by publication (published_at, then story id) fill the
 * next page. A story keeps its page for good (topic_archive_entries): an edit, a new date or
 * a copy joining it never moves it. So a page holds the same stories from the moment it is
 * made, except for those that are gone: deleted by retention (jobs/prune-items.ts), with a
 * deleted source, or merged away (their rows go by the cascade), or no longer in the topic
 * (its rules changed; they come back to the same page if they return to it). Pages are
 * numbered from 0, the oldest; a number is never reused (topic_archives.pages counts them).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { FeedEntry } from '../model.ts';
import { idIn } from './id-list.ts';
import { FEED_ENTRY_COLUMNS, feedEntriesOf } from './stories.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/** Stories per archive page, as many as the current document holds. */
export const ARCHIVE_PAGE_SIZE = 50;

/** The pages a topic's archive offers now. */
export interface ArchiveExtent {
  /** Pages filled so far: they are numbered 0 … pages - 1. */
  pages: number;
  /** The oldest page that still holds a story of the topic (null: none does); older ones are gone. */
  oldest: number | null;
}

/**
 * The topic's stories not on any page yet, oldest first: the queue addStoryTopics fills
 * (src/store/stories.ts), after dropping its rows of stories archived since or no longer in the
 * topic. Run under the topic document's lock (jobs/regenerate-feeds.ts), as archiveFullPages is.
 */
async function unarchivedStoryIds(db: Transaction<DB>, topic: string): Promise<number[]> {
  await sql`
    delete from topic_archive_pending p where p.topic = ${topic}
    and (not exists (select 1 from story_topics st where st.topic = p.topic and st.story_id = p.story_id)
      or exists (select 1 from topic_archive_entries a where a.story_id = p.story_id and a.topic = p.topic))`.execute(db);
  const rows = await db
    .selectFrom('topic_archive_pending as p')
    .innerJoin('story_topics as st', (join) => join.onRef('st.topic', '=', 'p.topic').onRef('st.story_id', '=', 'p.story_id'))
    .select('st.story_id')
    .where('p.topic', '=', topic)
    .orderBy('st.published_at')
    .orderBy('st.story_id')
    .execute();
  return rows.map((row) => Number(row.story_id));
}

/**
 * Fills as many new pages as the topic's unarchived stories allow, oldest first; returns the
 * ids of the stories left unarchived (fewer than a page). Call it holding the topic feed's
 * document lock: two processes must not number the same page.
 */
export async function archiveFullPages(db: Transaction<DB>, topic: string): Promise<number[]> {
  const pending = await unarchivedStoryIds(db, topic);
  const full = Math.floor(pending.length / ARCHIVE_PAGE_SIZE);
  if (full === 0) return pending;
  const current = await db.selectFrom('topic_archives').select('pages').where('topic', '=', topic).executeTakeFirst();
  const first = current?.pages ?? 0;
  const rows = pending.slice(0, full * ARCHIVE_PAGE_SIZE).map((storyId, n) => ({ story_id: storyId, topic, page: first + Math.floor(n / ARCHIVE_PAGE_SIZE) }));
  for (let start = 0; start < rows.length; start += 1000)
    await db
      .insertInto('topic_archive_entries')
      .values(rows.slice(start, start + 1000))
      .execute();
  await db
    .deleteFrom('topic_archive_pending')
    .where('topic', '=', topic)
    .where(
      idIn(
        'story_id',
        rows.map((row) => row.story_id),
      ),
    )
    .execute();
  await db
    .insertInto('topic_archives')
    .values({ topic, pages: first + full })
    .onConflict((oc) => oc.column('topic').doUpdateSet({ pages: first + full }))
    .execute();
  return pending.slice(full * ARCHIVE_PAGE_SIZE);
}

/** The topic's stories not archived yet, as feed entries, newest first (fewer than a page once archiveFullPages ran). */
export async function unarchivedEntries(db: Executor, topic: string): Promise<FeedEntry[]> {
  const rows = await db
    .selectFrom('topic_archive_pending as p')
    .innerJoin('story_topics as st', (join) => join.onRef('st.topic', '=', 'p.topic').onRef('st.story_id', '=', 'p.story_id'))
    .innerJoin('stories as s', 's.id', 'st.story_id')
    .innerJoin('items as i', 'i.id', 's.representative_item_id')
    .innerJoin('sources as src', 'src.id', 'i.source_id')
    .select(FEED_ENTRY_COLUMNS)
    .where('p.topic', '=', topic)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('topic_archive_entries as a').select('a.page').whereRef('a.story_id', '=', 'st.story_id').where('a.topic', '=', topic))),
    )
    .orderBy('st.published_at', 'desc')
    .orderBy('st.story_id', 'desc')
    .limit(ARCHIVE_PAGE_SIZE * 2)
    .execute();
  return feedEntriesOf(db, rows);
}

export async function archiveExtent(db: Executor, topic: string): Promise<ArchiveExtent> {
  const counted = await db.selectFrom('topic_archives').select('pages').where('topic', '=', topic).executeTakeFirst();
  const pages = counted?.pages ?? 0;
  if (pages === 0) return { pages, oldest: null };
  // Pages in order from the oldest, stopping at the first that holds a story still in the topic.
  const oldest = await db
    .selectFrom('topic_archive_entries as a')
    .select('a.page')
    .where('a.topic', '=', topic)
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('story_topics as st').select('st.story_id').whereRef('st.story_id', '=', 'a.story_id').where('st.topic', '=', topic)),
    )
    .orderBy('a.page')
    .limit(1)
    .executeTakeFirst();
  return { pages, oldest: oldest?.page ?? null };
}

/** The stories of one archive page still in the topic, newest first (ties: newer story first). */
export async function archivePageEntries(db: Executor, topic: string, page: number): Promise<FeedEntry[]> {
  const rows = await db
    .selectFrom('topic_archive_entries as a')
    .innerJoin('story_topics as st', (join) => join.onRef('st.story_id', '=', 'a.story_id').onRef('st.topic', '=', 'a.topic'))
    .innerJoin('stories as s', 's.id', 'a.story_id')
    .innerJoin('items as i', 'i.id', 's.representative_item_id')
    .innerJoin('sources as src', 'src.id', 'i.source_id')
    .select(FEED_ENTRY_COLUMNS)
    .where('a.topic', '=', topic)
    .where('a.page', '=', page)
    .orderBy('s.published_at', 'desc')
    .orderBy('s.id', 'desc')
    .execute();
  return feedEntriesOf(db, rows);
}
