import { sql, type Kysely } from 'kysely';

/**
 * A source whose feed permanently redirects to another source's URL is merged into it
 * (src/store/source-merge.ts): it stays, disabled, as the record that its URL now means the
 * other source, so the config sync neither polls it again nor re-creates it, and adds the
 * topics the file gives it to the source it was merged into.
 *
 * A source whose feed moved to a URL no other source has takes the new URL and remembers the
 * ones it had (previous_urls): the config file, an OPML list or an admin naming an old URL
 * means this source, not a new one that would poll the old URL again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sources add column merged_into_id bigint references sources (id) on delete set null`.execute(db);
  await sql`alter table sources add column previous_urls text[] not null default '{}'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sources drop column previous_urls`.execute(db);
  await sql`alter table sources drop column merged_into_id`.execute(db);
}
