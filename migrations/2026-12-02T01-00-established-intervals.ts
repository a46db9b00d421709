import { sql, type Kysely } from 'kysely';

/**
 * What a source's last 200 established for its poll interval (src/ingest/poll-schedule.ts,
 * Established): the interval its publishing rate called for, and its longest publisher hint
 * (RSS ttl, Cache-Control max-age, Expires). A 304 carries no items and no ttl; it reuses
 * them instead of falling back to the minimum interval. Null until the next 200.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table sources
      add column rate_interval_seconds integer check (rate_interval_seconds >= 0),
      add column hint_interval_seconds integer check (hint_interval_seconds >= 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sources drop column rate_interval_seconds, drop column hint_interval_seconds`.execute(db);
}
