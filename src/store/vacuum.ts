/**
 * VACUUM for the embedded database. Real Postgres runs autovacuum; PGlite runs Postgres in
 * single-user mode, where nothing ever vacuums: the space of updated and deleted rows is
 * never made reusable (only VACUUM records free space for new rows), so the files grow with
 * every update. A rendered topic document (~150 kB, three formats) rewritten at each poll
 * added ~65 MB a day; 200 rewrites of one grew its table from 0.2 MB to 29 MB, and after a
 * VACUUM the next 200 added nothing.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** Vacuums and analyzes every table of the database. SKIP_LOCKED: a table in use is left for the next run. */
export async function vacuumDatabase(db: Kysely<DB>): Promise<void> {
  await sql`vacuum (analyze, skip_locked)`.execute(db);
}
