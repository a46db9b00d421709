/** All SQL about poll events: one row per poll of a source, the newest few kept per source. */
import { sql, type Kysely, type Transaction } from 'kysely';
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
 * Records one poll and drops that source's events beyond the newest POLL_EVENTS_KEPT.
 * Nothing is recorded when the source was deleted while it was being polled.
 */
export async function recordPollEvent(db: Executor, event: NewPollEvent): Promise<void> {
  await sql`
    insert into poll_events (source_id, polled_at, outcome, status, error_code, error_message, new_items, updated_items, duration_ms)
    select id, ${event.polledAt}::timestamptz, ${event.outcome}::text, ${event.status}::integer, ${event.errorCode}::text,
           ${event.errorMessage}::text, ${event.newItems}::integer, ${event.updatedItems}::integer, ${event.durationMs}::integer
    from sources where id = ${event.sourceId}`.execute(db);
  // Ids grow with time, so "older than the Nth newest" is an index range on (source_id, id);
  // with fewer than N events the subquery is null and nothing is deleted.
  await db
    .deleteFrom('poll_events')
    .where('source_id', '=', event.sourceId)
    .where('id', '<', (eb) =>
      eb
        .selectFrom('poll_events')
        .select('id')
        .where('source_id', '=', event.sourceId)
        .orderBy('id', 'desc')
        .offset(POLL_EVENTS_KEPT - 1)
        .limit(1),
    )
    .execute();
}

/** A source's newest events, newest first. */
export async function recentPollEvents(db: Executor, sourceId: number, limit = POLL_EVENTS_KEPT): Promise<PollEvent[]> {
  return db.selectFrom('poll_events').selectAll().where('source_id', '=', sourceId).orderBy('id', 'desc').limit(limit).execute();
}
