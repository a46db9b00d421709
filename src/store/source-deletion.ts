/**
 * All SQL of deleting a source: marked first (no longer polled or listed as active), then
 * its items deleted a batch per short transaction, the stories they were in refreshed as they
 * go (a story keeps its other copies, or disappears), and the row itself last, its poll
 * events with it. A batch is short, so polls, readers and other admins never wait long for
 * the database, whatever the source's size.
 */
import { sql, type Kysely } from 'kysely';
import type { DB, Source } from '../db/schema.ts';
import { DISABLED_REASONS } from './disabled-reasons.ts';
import { refreshStories } from './stories.ts';

/** Marks a source for deletion; returns its row and how many items it has, or undefined when there is none. */
export async function markSourceForDeletion(db: Kysely<DB>, id: number, now: Date): Promise<{ source: Source; items: number } | undefined> {
  const source = await db
    .updateTable('sources')
    .set({
      enabled: false,
      disabled_reason: DISABLED_REASONS.deleting,
      deleting_since: sql<Date>`coalesce(deleting_since, ${now}::timestamptz)`,
      lease_owner: null,
      lease_until: null,
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (source === undefined) return undefined;
  const { n } = await db
    .selectFrom('items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('source_id', '=', id)
    .executeTakeFirstOrThrow();
  return { source, items: n };
}

/** Sources marked for deletion, oldest request first. */
export async function sourcesBeingDeleted(db: Kysely<DB>): Promise<number[]> {
  const rows = await db.selectFrom('sources').select('id').where('deleting_since', 'is not', null).orderBy('deleting_since').orderBy('id').execute();
  return rows.map((r) => r.id);
}

/** Deletes up to `batch` of the source's items; returns how many, and the topics whose feeds changed. */
export async function deleteSourceItemsBatch(db: Kysely<DB>, id: number, batch: number, now: Date): Promise<{ deleted: number; topics: Set<string> }> {
  return db.transaction().execute(async (trx) => {
    const removed = await sql<{ story_id: number }>`
      delete from items where id in (select id from items where source_id = ${id} order by id limit ${batch})
      returning story_id`.execute(trx);
    const topics = await refreshStories(trx, [...new Set(removed.rows.map((r) => r.story_id))], now);
    return { deleted: removed.rows.length, topics };
  });
}

/** Deletes the row of a marked source that has no items left (its poll events go with it). */
export async function deleteMarkedSourceRow(db: Kysely<DB>, id: number): Promise<Source | undefined> {
  return db
    .deleteFrom('sources')
    .where('id', '=', id)
    .where('deleting_since', 'is not', null)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('items').select('items.id').where('items.source_id', '=', id))))
    .returningAll()
    .executeTakeFirst();
}
