import { sql, type Kysely } from 'kysely';

/** Published digests: one per topic and period, written once and never changed. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table digests (
      id bigint generated always as identity primary key,
      topic text not null,
      period_start timestamptz not null,
      period_end timestamptz not null,
      -- Local date the period ends on: the digest's name and permalink (/topics/:slug/digest/:date).
      period_date date not null,
      title text not null,
      html text not null,
      text text not null,
      story_ids bigint[] not null,
      created_at timestamptz not null,
      -- The unique key is what makes several builders (instances) publish each digest once.
      unique (topic, period_start),
      unique (topic, period_date)
    )`.execute(db);
  await sql`create index digests_topic_end_idx on digests (topic, period_end desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table digests`.execute(db);
}
