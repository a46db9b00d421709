import { sql, type Kysely } from 'kysely';

/**
 * The stories of each topic not archived yet (src/store/topic-archive.ts), kept as a short
 * list instead of found by comparing all the topic's stories with its archive at every
 * regeneration: that comparison read every story of the topic (1.6 s at 1,000,000 stories).
 * A row is added when a story enters a topic's story_topics and is not archived there; the
 * archiver removes the rows it archives and the rows of stories no longer in the topic. No
 * foreign key: retention deletes stories in bulk, and a row of a gone story is dropped by the
 * archiver's next pass instead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table topic_archive_pending (
      topic text not null,
      story_id bigint not null,
      primary key (topic, story_id)
    )`.execute(db);
  await sql`
    insert into topic_archive_pending (topic, story_id)
    select st.topic, st.story_id from story_topics st
    where not exists (select 1 from topic_archive_entries a where a.story_id = st.story_id and a.topic = st.topic)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table topic_archive_pending`.execute(db);
}
