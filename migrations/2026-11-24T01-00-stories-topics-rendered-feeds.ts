import { sql, type Kysely } from 'kysely';

/**
 * Stories (copies of one article across sources, grouped), the topics of items and
 * stories, the classification rules they were computed with, and the rendered topic
 * documents every instance serves.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table stories (
      id bigint generated always as identity primary key,
      -- The feed entry id: a UUID, so it survives a change of PUBLIC_URL or host.
      guid uuid not null unique default gen_random_uuid(),
      representative_item_id bigint,
      published_at timestamptz not null,
      first_seen_at timestamptz not null,
      updated_at timestamptz not null,
      item_count integer not null default 1,
      source_count integer not null default 1
    )`.execute(db);

  await sql`alter table items add column story_id bigint references stories (id) on delete set null`.execute(db);
  await sql`alter table items add column topics text[] not null default '{}'`.execute(db);
  await sql`create index items_story_id_idx on items (story_id)`.execute(db);
  await sql`
    alter table stories add constraint stories_representative_fk
      foreign key (representative_item_id) references items (id) on delete set null`.execute(db);

  // One row per (topic, story): a topic feed is an index range scan, newest first.
  await sql`
    create table story_topics (
      topic text not null,
      story_id bigint not null references stories (id) on delete cascade,
      published_at timestamptz not null,
      primary key (topic, story_id)
    )`.execute(db);
  await sql`create index story_topics_feed_idx on story_topics (topic, published_at desc, story_id desc)`.execute(db);
  await sql`create index story_topics_story_idx on story_topics (story_id)`.execute(db);

  // Fingerprint of the rules items were classified with; a change triggers re-classification.
  await sql`
    create table settings (
      key text primary key,
      value text not null,
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table rendered_feeds (
      topic text not null,
      kind text not null check (kind in ('feed', 'digest')),
      format text not null check (format in ('rss', 'atom', 'json')),
      body text not null,
      etag text not null,
      updated_at timestamptz not null,
      primary key (topic, kind, format)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table rendered_feeds`.execute(db);
  await sql`drop table settings`.execute(db);
  await sql`drop table story_topics`.execute(db);
  await sql`alter table stories drop constraint stories_representative_fk`.execute(db);
  await sql`alter table items drop column topics`.execute(db);
  await sql`alter table items drop column story_id`.execute(db);
  await sql`drop table stories`.execute(db);
}
