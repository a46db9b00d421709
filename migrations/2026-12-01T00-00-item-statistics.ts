import { sql, type Kysely } from 'kysely';

/**
 * No planner statistics for the item columns no query filters or joins on. ANALYZE of items
 * spent most of its time on them (text arrays' element frequencies, long bodies): 1.5 s
 * instead of 0.4 s at 60,000 items, and the poller now analyzes items as they grow
 * (src/store/table-statistics.ts), besides Postgres' autovacuum.
 */
const UNFILTERED = ['url', 'item_key', 'title', 'summary', 'content_html', 'author', 'categories', 'content_hash', 'title_key', 'numbers', 'story_reason'];

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table items ${sql.join(UNFILTERED.map((c) => sql`alter column ${sql.ref(c)} set statistics 0`))}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table items ${sql.join(UNFILTERED.map((c) => sql`alter column ${sql.ref(c)} set statistics -1`))}`.execute(db);
}
