import { sql, type Kysely } from 'kysely';

/**
 * Story curation by an admin (src/admin/story-curation.ts, src/store/story-curation.ts):
 * - items.hidden_at / hidden_by: a hidden item stays stored (and in its story) but is left out
 *   of everything readers get: it never represents a story, never counts as a copy, and a
 *   story of hidden items only is in no topic. Adding nullable columns without a default
 *   rewrites nothing.
 * - story_splits: an item an admin split out of a story is kept out of that story for good.
 *   The item is named by its source and item_key, not its id: an item deleted by retention
 *   and listed again by its feed comes back as a new row, and must not rejoin either.
 *   `story_id` has no foreign key: when that story is merged into another, the row follows
 *   it (store/story-curation.ts), and a row naming a story that is gone keeps nothing apart.
 * - curation_log: who did what, when, to which stories and items.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table items add column hidden_at timestamptz, add column hidden_by text`.execute(db);
  await sql`
    create table story_splits (
      source_id bigint not null references sources (id) on delete cascade,
      item_key text not null,
      story_id bigint not null,
      created_at timestamptz not null,
      primary key (source_id, item_key, story_id)
    )`.execute(db);
  await sql`create index story_splits_story_id_idx on story_splits (story_id)`.execute(db);
  await sql`
    create table curation_log (
      id bigint generated always as identity primary key,
      at timestamptz not null,
      actor text not null,
      action text not null check (action in ('split', 'merge', 'hide', 'unhide')),
      story_ids bigint[] not null default '{}',
      item_ids bigint[] not null default '{}',
      detail jsonb not null default '{}'
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table curation_log`.execute(db);
  await sql`drop table story_splits`.execute(db);
  await sql`alter table items drop column hidden_by, drop column hidden_at`.execute(db);
}
