import { sql, type Kysely } from 'kysely';

/**
 * Story membership written once (src/store/story-grouping.ts). Every item is stored with the
 * id of a story of its own (drawn from the stories id sequence) and queued in
 * `ungrouped_items`; the grouper creates that story when the item founds one, and rewrites
 * the item only when it joins another. Before, every item was rewritten to set story_id,
 * which re-inserted it into every index of items (the bucket-key GIN index included): the
 * costliest step of a cold poll cycle.
 *
 * Until it is grouped, an item points at a story that does not exist yet, so the foreign
 * key from items to stories goes (a story is deleted only once no item points at it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const sequence = (await sql<{ name: string }>`select pg_get_serial_sequence('stories', 'id') as name`.execute(db)).rows[0]!.name;
  await sql`
    create table ungrouped_items (
      item_id bigint primary key references items (id) on delete cascade,
      published_at timestamptz not null
    )`.execute(db);
  // The grouper takes them oldest first.
  await sql`create index ungrouped_items_order_idx on ungrouped_items (published_at, item_id)`.execute(db);
  await sql`alter table items drop constraint if exists items_story_id_fkey`.execute(db);
  await sql`alter table items alter column story_id set default nextval(${sql.lit(sequence)}::regclass)`.execute(db);
  await sql`alter table items alter column story_reason set default '{"via":"founded"}'::jsonb`.execute(db);
  // Items a poll committed but nobody grouped yet: the queue takes them over.
  await sql`
    with pending as (
      update items set story_id = nextval(${sql.lit(sequence)}::regclass), story_reason = '{"via":"founded"}'::jsonb
      where story_id is null returning id, published_at
    )
    insert into ungrouped_items (item_id, published_at) select id, published_at from pending`.execute(db);
  await sql`alter table items alter column story_id set not null`.execute(db);
  await sql`drop index items_ungrouped_idx`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index items_ungrouped_idx on items (published_at, id) where story_id is null`.execute(db);
  await sql`alter table items alter column story_id drop not null`.execute(db);
  await sql`update items set story_id = null, story_reason = null where id in (select item_id from ungrouped_items)`.execute(db);
  await sql`alter table items alter column story_reason drop default`.execute(db);
  await sql`alter table items alter column story_id drop default`.execute(db);
  await sql`
    alter table items add constraint items_story_id_fkey
      foreign key (story_id) references stories (id) on delete set null`.execute(db);
  await sql`drop table ungrouped_items`.execute(db);
}
