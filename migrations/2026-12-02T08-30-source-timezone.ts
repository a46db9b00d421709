import { sql, type Kysely } from 'kysely';

/**
 * A source's IANA time zone (feeds.config.json `timezone`): its dates written without a
 * zone are read in it (src/ingest/feed-dates.ts). Null: UTC, as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sources add column timezone text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sources drop column timezone`.execute(db);
}
