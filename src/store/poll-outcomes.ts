/**
 * All SQL of recording a poll's outcome on its source: a success (200 or 304), many 304s at
 * once, or a failure. Each clears the source's lease (taken in source-claims.ts).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Established, PublishingRhythm } from '../model.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface PollSuccess {
  now: Date;
  nextPollAt: Date;
  status: number;
  etag: string | null;
  lastModified: string | null;
  title?: string | null | undefined;
  siteUrl?: string | null | undefined;
  /** What a 200 established for the 304s after it (poll-schedule.ts); a 304 leaves it as it is. */
  established?: Established | undefined;
  /** When the source last published and its usual gap (a 200); absent: they stay as they are. */
  rhythm?: PublishingRhythm | undefined;
}

/**
 * Records a successful poll (200 or 304): clears the error and the lease. A feed that moved
 * (permanent redirect) is followed first with followPermanentRedirect (source-merge.ts).
 */
export async function recordPollSuccess(db: Executor, sourceId: number, outcome: PollSuccess): Promise<void> {
  await db
    .updateTable('sources')
    .set((eb) => ({
      last_polled_at: outcome.now,
      last_success_at: outcome.now,
      last_status: outcome.status,
      next_poll_at: outcome.nextPollAt,
      etag: outcome.etag,
      last_modified: outcome.lastModified,
      error_code: null,
      error_message: null,
      consecutive_failures: 0,
      lease_owner: null,
      lease_until: null,
      // A config title wins; a feed's own title fills in when none was given.
      title: outcome.title ? eb.fn.coalesce('title', eb.val(outcome.title)) : eb.ref('title'),
      site_url: outcome.siteUrl ? eb.val(outcome.siteUrl) : eb.ref('site_url'),
      ...(outcome.established ? { rate_interval_seconds: outcome.established.rateSeconds, hint_interval_seconds: outcome.established.hintSeconds } : {}),
      ...(outcome.rhythm ? { newest_item_at: outcome.rhythm.newestItemAt, publishing_gap_seconds: outcome.rhythm.gapSeconds } : {}),
      updated_at: outcome.now,
    }))
    .where('id', '=', sourceId)
    .execute();
}

/**
 * A 304 poll's bookkeeping: the source is healthy, its validators stand, its next poll is set
 * (from what the last 200 established, which stays as it is).
 */
export interface NotModifiedPoll {
  sourceId: number;
  now: Date;
  nextPollAt: Date;
}

/**
 * Records many 304 polls in one statement, as recordPollSuccess would each (one statement a
 * poll was a third of a warm cycle's statements on Postgres). A 304 that moved its feed
 * (permanent redirect) goes through followPermanentRedirect and recordPollSuccess instead.
 */
export async function recordNotModified(db: Executor, polls: readonly NotModifiedPoll[]): Promise<void> {
  if (polls.length === 0) return;
  const rows = JSON.stringify(polls.map((p) => ({ id: p.sourceId, now: p.now, next: p.nextPollAt })));
  await sql`
    update sources s set
      last_polled_at = u.now, last_success_at = u.now, last_status = 304, next_poll_at = u.next,
      error_code = null, error_message = null, consecutive_failures = 0,
      lease_owner = null, lease_until = null, updated_at = u.now
    from jsonb_to_recordset(${rows}::jsonb) as u(id bigint, now timestamptz, next timestamptz)
    where s.id = u.id`.execute(db);
}

export interface PollFailure {
  now: Date;
  nextPollAt: Date;
  status: number | null;
  code: string;
  message: string;
  /** Stop polling (410 Gone). */
  disable?: string | undefined;
}

/** Records a failed poll: the error, one more consecutive failure, the backed-off next poll. */
export async function recordPollFailure(db: Executor, sourceId: number, failure: PollFailure): Promise<void> {
  await db
    .updateTable('sources')
    .set((eb) => ({
      last_polled_at: failure.now,
      last_status: failure.status,
      next_poll_at: failure.nextPollAt,
      error_code: failure.code,
      error_message: failure.message,
      consecutive_failures: eb('consecutive_failures', '+', 1),
      lease_owner: null,
      lease_until: null,
      updated_at: failure.now,
      ...(failure.disable ? { enabled: false, disabled_reason: failure.disable } : {}),
    }))
    .where('id', '=', sourceId)
    .execute();
}
