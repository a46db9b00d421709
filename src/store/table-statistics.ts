/**
 * Keeps the planner's statistics of the growing tables current. Plans of the grouping and
 * feed queries (`story_id = any($ids)` and the like) depend on them: without statistics,
 * Postgres assumes each value matches 0.5% of the rows, so a look-up of 200 story ids reads
 * as 100% of the table and is planned as a sequential scan, whose cost grows with the table.
 *
 * Real Postgres analyzes a table once a tenth of it changed, but its autovacuum looks at a
 * database once a minute, and a new database's first poll cycle (thousands of items in
 * seconds) runs its whole course on such plans. The embedded database has no autovacuum at
 * all: PGlite runs Postgres in single-user mode, where no tables are ever analyzed unless
 * someone asks. So the poller asks: a table analyzed never, or last at half its present
 * size, is analyzed again (doubling keeps the total work logarithmic in the table's size).
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** The tables whose growth changes plans (small ones, queues and lease tables, need no statistics). */
const GROWING_TABLES = ['items', 'stories', 'story_topics', 'sources', 'poll_events'] as const;

/** Below this many pages (8 kB each) any plan is cheap. */
const MIN_PAGES = 16;

/** Analyzes the tables that have doubled since their last analysis (or never had one); returns their names. */
export async function analyzeGrownTables(db: Kysely<DB>, tables: readonly string[] = GROWING_TABLES): Promise<string[]> {
  // relpages and reltuples are what the last ANALYZE (or VACUUM) saw; reltuples is -1 before
  // the first one. pg_relation_size is the table's size now.
  const sizes = await sql<{ name: string; analyzed_pages: number; never: boolean; pages: number }>`
    select c.relname as name, c.relpages as analyzed_pages, c.reltuples < 0 as never,
           (pg_relation_size(c.oid) / current_setting('block_size')::int)::int as pages
    from pg_class c
    where c.oid = any(${tables.map((t) => `public.${t}`)}::regclass[])`.execute(db);
  const grown = sizes.rows.filter((t) => t.pages >= MIN_PAGES && (t.never || t.pages >= 2 * t.analyzed_pages)).map((t) => t.name);
  // SKIP_LOCKED: another instance analyzing the table (or a vacuum) already does the work.
  if (grown.length > 0) await sql`analyze (skip_locked) ${sql.join(grown.map((name) => sql.table(name)))}`.execute(db);
  return grown;
}
