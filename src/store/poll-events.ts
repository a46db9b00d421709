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
 * Records polls in one statement, in order. Nothing is recorded for a source deleted while
 * it was being polled. The commit does not wait for the WAL flush: events are history, and
 * losing the last fraction of a second of them in a crash costs nothing.
 */
export async function recordPollEvents(db: Kysely<DB>, events: readonly NewPollEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = JSON.stringify(
    events.map((e) => ({
      source_id: e.sourceId,
      polled_at: e.polledAt.toISOString(),
      outcome: e.outcome,
      status: e.status,
      error_code: e.errorCode,
      error_message: e.errorMessage,
      new_items: e.newItems,
      updated_items: e.updatedItems,
      duration_ms: e.durationMs,
    })),
  );
  await relaxedCommit(db, async (trx) => {
    await sql`
      insert into poll_events (source_id, polled_at, outcome, status, error_code, error_message, new_items, updated_items, duration_ms)
      select e.source_id, e.polled_at, e.outcome, e.status, e.error_code, e.error_message, e.new_items, e.updated_items, e.duration_ms
      from rows from (jsonb_to_recordset(${rows}::jsonb) as (source_id bigint, polled_at timestamptz, outcome text, status integer,
             error_code text, error_message text, new_items integer, updated_items integer, duration_ms integer)) with ordinality
           as e(source_id, polled_at, outcome, status, error_code, error_message, new_items, updated_items, duration_ms, n)
      where exists (select 1 from sources s where s.id = e.source_id)
      order by e.n`.execute(trx);
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
