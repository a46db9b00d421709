import { sql, type Kysely } from 'kysely';

/**
 * 2026-11-24T03-00 was edited after it landed: its first form created the bucket-key GIN
 * index with GIN's default `fastupdate = on` (and no `items_ungrouped_idx`, which
 * 2026-11-24T06-00 creates for 2026-11-25T00-00 to drop). Databases migrated with that first form
 * keep a pending list that every candidate look-up after an insert scans; this brings them
 * to the form every newer database has. A no-op where the index is already so.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter index items_bucket_keys_idx set (fastupdate = off)`.execute(db);
}

export async function down(): Promise<void> {
  // Nothing to undo: `fastupdate = off` is the index's intended form in every version.
}
