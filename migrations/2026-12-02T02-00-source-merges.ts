import { sql, type Kysely } from 'kysely';

/**
 * A source whose feed permanently redirects to another source's URL is merged into it
 * (src/store/source-merge.ts): it stays, disabled, as the record that its URL now means the
 * other source, so the config sync neither polls it again nor re-creates it, and adds the
 * topics the file gives it to the source it was merged into.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sources add column merged_into_id bigint references sources (id) on delete set null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sources drop column merged_into_id`.execute(db);
}
