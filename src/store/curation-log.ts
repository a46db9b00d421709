/** All SQL about the curation log: what admins did to stories and items (src/admin/story-curation.ts writes it). */
import type { Kysely, Transaction } from 'kysely';
import type { CurationAction, DB } from '../db/schema.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface CurationEntry {
  at: Date;
  /** "session <key prefix>", "api token" or "cli". */
  actor: string;
  action: CurationAction;
  storyIds: number[];
  itemIds: number[];
  detail: Record<string, unknown>;
}

export interface LoggedCuration extends CurationEntry {
  id: number;
}

/** Adds an entry; call it in the action's own transaction, so an action is logged exactly when it happens. */
export async function logCuration(db: Executor, entry: CurationEntry): Promise<number> {
  const row = await db
    .insertInto('curation_log')
    .values({
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      story_ids: entry.storyIds,
      item_ids: entry.itemIds,
      detail: JSON.stringify(entry.detail),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The newest `limit` entries, newest first. */
export async function recentCurations(db: Executor, limit: number): Promise<LoggedCuration[]> {
  const rows = await db.selectFrom('curation_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, storyIds: r.story_ids, itemIds: r.item_ids, detail: r.detail }));
}
