import { sql, type Kysely } from 'kysely';

/**
 * Topic archives (RFC 5005 §4, src/store/topic-archive.ts). A story is placed on a page of its
 * topic's archive once, when it is archived, and keeps that page: an edit, a new date or a
 * new copy never moves it. `topic_archives.pages` counts the pages filled so far (a page is
 * only ever created full), so a page's number is never reused, even when retention or a
 * deleted source empties pages (their stories go with their rows, by the cascade).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table topic_archives (
      topic text primary key,
      pages integer not null check (pages >= 0)
    )`.execute(db);
  // Keyed by story first: deleting a story (refreshStories) finds its rows by the key.
  await sql`
    create table topic_archive_entries (
      story_id bigint not null references stories (id) on delete cascade,
      topic text not null,
      page integer not null check (page >= 0),
      primary key (story_id, topic)
    )`.execute(db);
  await sql`create index topic_archive_entries_page_idx on topic_archive_entries (topic, page)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table topic_archive_entries`.execute(db);
  await sql`drop table topic_archives`.execute(db);
}
