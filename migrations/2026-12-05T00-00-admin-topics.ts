import { sql, type Kysely } from 'kysely';

/**
 * Topics in the database (src/store/topics.ts), so admins can add, change and remove them
 * without a restart and every instance serves the same ones. `origin` says where a topic
 * comes from: 'config' topics are written from feeds.config.json at each start (the file
 * wins for the topics it names), 'admin' ones were made through the API, page or CLI and
 * stay. `digest` holds the digest settings as the file gives them (time, timezone,
 * maxStories, period, weekday). `position` orders them: the file's order, then the admins'.
 * Instances notice a change by the `topics_version` settings row, bumped with each one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table topics (
      slug text primary key,
      title text not null,
      description text not null default '',
      include text[] not null default '{}',
      exclude text[] not null default '{}',
      digest jsonb not null,
      origin text not null check (origin in ('config', 'admin')),
      position integer not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table topics`.execute(db);
  await sql`delete from settings where key = 'topics_version'`.execute(db);
}
