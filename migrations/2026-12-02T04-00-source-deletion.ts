import { sql, type Kysely } from 'kysely';

/**
 * Deleting items must not scan other tables: every foreign key a delete goes through gets an
 * index. stories.representative_item_id (ON DELETE SET NULL) had none, so each deleted item
 * scanned every story: deleting a 100,000-item source froze the embedded database for ~20
 * minutes. sources.merged_into_id likewise (a small table, indexed for the same rule).
 *
 * A large source is deleted in batches in the background: `deleting_since` marks it as
 * being deleted (not polled, not shown, its items going) until the last batch removes it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index stories_representative_idx on stories (representative_item_id)`.execute(db);
  await sql`create index sources_merged_into_idx on sources (merged_into_id) where merged_into_id is not null`.execute(db);
  await sql`alter table sources add column deleting_since timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sources drop column deleting_since`.execute(db);
  await sql`drop index sources_merged_into_idx`.execute(db);
  await sql`drop index stories_representative_idx`.execute(db);
}
