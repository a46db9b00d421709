/** All SQL about poll events: one row per poll of a source, the newest few kept per source. */
import { sql, type Kysely, type Transaction } from 'kysely';
import { relaxedCommit } from './relaxed-commit.ts';
import type { DB, PollEvent } from '../db/schema.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/** Events kept per source: enough to see a pattern of failures, small enough to never matter. */
export const POLL_EVENTS_KEPT = 50;

export interface NewPollEvent {
  sourceId: number;
  polledAt: Date;
  outcome: PollEvent['outcome'];
  status: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  newItems: number;
  updatedItems: number;
  durationMs: number;
}

/**
 * Records one poll. Nothing is recorded when the source was deleted while it was being
 * polled. The commit does not wait for the WAL flush: a poll's bookkeeping is redone by
 * the next poll, so losing the last fraction of a second of it in a crash costs nothing,
 * while a flush per poll costs a disk round trip per source.
 */
export async function recordPollEvent(db: Kysely<DB>, event: NewPollEvent): Promise<void> {
  await relaxedCommit(db, async (trx) => {
    await sql`
      insert into poll_events (source_id, polled_at, outcome, status, error_code, error_message, new_items, updated_items, duration_ms)
      select id, ${event.polledAt}::timestamptz, ${event.outcome}::text, ${event.status}::integer, ${event.errorCode}::text,
             ${event.errorMessage}::text, ${event.newItems}::integer, ${event.updatedItems}::integer, ${event.durationMs}::integer
      from sources where id = ${event.sourceId}`.execute(trx);
  });
}

/** Drops every source's events beyond its newest POLL_EVENTS_KEPT (run by the daily prune job). */
export async function prunePollEvents(db: Executor): Promise<number> {
  const result = await sql`
    delete from poll_events p
    using (
      select id from (select id, row_number() over (partition by source_id order by id desc) as n from poll_events) ranked
      where n > ${POLL_EVENTS_KEPT}
    ) old
    where p.id = old.id`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** A source's newest events, newest first. */
export async function recentPollEvents(db: Executor, sourceId: number, limit = POLL_EVENTS_KEPT): Promise<PollEvent[]> {
  return db.selectFrom('poll_events').selectAll().where('source_id', '=', sourceId).orderBy('id', 'desc').limit(limit).execute();
}
