/** Small key/value facts the service keeps about itself (e.g. the classification rules in force). */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export async function getSetting(db: Kysely<DB>, key: string): Promise<string | null> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

export async function putSetting(db: Kysely<DB>, key: string, value: string, now: Date): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
    .execute();
}

/**
 * Stores `value` under `key` and returns since when the key has held it: the stored time
 * while the value is unchanged, else `now`. Instances sharing the database agree on it,
 * and it survives restarts (the OPML listing's dateCreated, src/http/topic-listing.ts).
 */
export async function settingSince(db: Kysely<DB>, key: string, value: string, now: Date): Promise<Date> {
  const changed = await db
    .insertInto('settings')
    .values({ key, value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }).where('settings.value', '<>', value))
    .returning('updated_at')
    .executeTakeFirst();
  if (changed) return changed.updated_at;
  const row = await db.selectFrom('settings').select('updated_at').where('key', '=', key).executeTakeFirstOrThrow();
  return row.updated_at;
}
