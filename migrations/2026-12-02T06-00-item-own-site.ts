import { sql, type Kysely } from 'kysely';

/**
 * Whether an item's article is on its source's own site (src/ingest/own-site.ts): among
 * copies sharing a canonical URL, that copy is the original and the story's entry, whatever
 * earlier date another outlet claims. Items stored before are taken as their own site's (the
 * choice among them stays as it was: earliest first).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table items add column own_site boolean not null default true`.execute(db);
  await sql`alter table items alter column own_site set statistics 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table items drop column own_site`.execute(db);
}
