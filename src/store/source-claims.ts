/**
 * All SQL of claiming sources to poll: the claim of due sources under a lease, and giving
 * leases back (shutdown mid-poll, or after a database outage). A finished poll clears its
 * lease as it records its outcome (poll-outcomes.ts).
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB, Source } from '../db/schema.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface ClaimOptions {
  owner: string;
  now: Date;
  leaseSeconds: number;
  limit: number;
  /** Claim this source whatever its next_poll_at (still never one leased by another poller). */
  url?: string | undefined;
}

/**
 * Claims up to `limit` due, enabled, unleased sources for `owner`. FOR UPDATE SKIP LOCKED
 * lets several instances claim concurrently without waiting on or double-claiming rows;
 * the lease makes a claim outlive the transaction, and expires if its owner dies.
 */
export async function claimDueSources(db: Kysely<DB>, options: ClaimOptions): Promise<Source[]> {
  const leaseUntil = new Date(options.now.getTime() + options.leaseSeconds * 1000);
  let due = db
    .selectFrom('sources')
    .select('id')
    .where('enabled', '=', true)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', options.now)]))
    .orderBy('next_poll_at')
    .limit(options.limit)
    .forUpdate()
    .skipLocked();
  due = options.url === undefined ? due.where('next_poll_at', '<=', options.now) : due.where('url', '=', options.url);
  return db
    .updateTable('sources')
    .set({ lease_owner: options.owner, lease_until: leaseUntil })
    .where('id', 'in', due)
    .returningAll()
    .execute()
    .then((rows) => rows.sort((a, b) => a.next_poll_at.getTime() - b.next_poll_at.getTime()));
}

/**
 * Gives a claimed source back untouched (shutdown mid-poll): another poller may take it at
 * once, or from `nextPollAt` when given (its host was too busy to poll it now).
 */
export async function releaseLease(db: Executor, sourceId: number, owner: string, nextPollAt?: Date): Promise<void> {
  await db
    .updateTable('sources')
    .set({ lease_owner: null, lease_until: null, ...(nextPollAt ? { next_poll_at: nextPollAt } : {}) })
    .where('id', '=', sourceId)
    .where('lease_owner', '=', owner)
    .execute();
}

/**
 * Frees every lease `owner` holds except those on `keep` (sources it is polling right now):
 * a poll cut off by a database outage could not give its lease back, and would otherwise
 * keep its source from being polled, by anyone, until the lease runs out minutes later.
 */
export async function releaseOwnLeases(db: Executor, owner: string, keep: readonly number[]): Promise<number> {
  let query = db.updateTable('sources').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner);
  if (keep.length > 0) query = query.where('id', 'not in', keep);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
