import { sql, type Kysely } from 'kysely';

/**
 * 2026-11-24T03-00 was edited after it landed: its first form did not create
 * `items_ungrouped_idx`, which 2026-11-25T00-00 drops. On a database migrated with that
 * first form, this creates the index so the next migration can drop it. It sorts before
 * 2026-11-25T00-00 so it runs first there; on a database already past that migration
 * (ungrouped_items exists) it runs out of order (src/db/migrate.ts allows it) and does
 * nothing. Landed migrations are never edited (test/unit/db/migrations-landed.test.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const past = await sql<{ name: string | null }>`select to_regclass('ungrouped_items')::text as name`.execute(db);
  if (past.rows[0]?.name) return;
  await sql`create index if not exists items_ungrouped_idx on items (published_at, id) where story_id is null`.execute(db);
}

export async function down(): Promise<void> {
  // Nothing to undo: 2026-11-24T03-00's down drops the index when it exists.
}
