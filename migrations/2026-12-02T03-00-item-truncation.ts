import { sql, type Kysely } from 'kysely';

/**
 * Items record which fields were cut to their cap at ingest (src/ingest/field-caps.ts), so a
 * cut is never silent. Nothing filters on it: no planner statistics (as for the other
 * unfiltered columns, 2026-12-01T00-00-item-statistics).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table items add column truncated text[] not null default '{}'`.execute(db);
  await sql`alter table items alter column truncated set statistics 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table items drop column truncated`.execute(db);
}
