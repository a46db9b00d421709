/**
 * All SQL of sources' WebSub subscriptions (W3C WebSub §5): the one a source's feed calls
 * for, the requests due to its hub (claimed like poll leases, source-claims.ts, so several
 * instances never send one twice), the hub's verification of intent, and the pushes received.
 * A verified lease end is copied onto the source row (push_subscribed_until) for the poll
 * schedule. The policy (when to retry, renew, give up) is the caller's:
 * src/ingest/push-subscriptions.ts.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, Source, WebSubSubscription } from '../db/schema.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface WantedSubscription {
  hub: string;
  topic: string;
  callbackId: string;
  secret: string;
}

/**
 * Makes `wanted` the source's subscription: kept when it already is (same hub and topic),
 * else the old one is retired (retireSubscription) and the new one is due at once. Null
 * retires whatever the source has. Returns whether anything changed.
 */
export async function setSourceSubscription(db: Kysely<DB>, sourceId: number, wanted: WantedSubscription | null, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('websub_subscriptions')
      .selectAll()
      .where('source_id', '=', sourceId)
      .where('state', '<>', 'unsubscribing')
      .forUpdate()
      .executeTakeFirst();
    if (current && wanted && current.hub_url === wanted.hub && current.topic_url === wanted.topic) return false;
    if (current === undefined && wanted === null) return false;
    if (current) await retireSubscription(trx, current, now);
    if (wanted) {
      await trx
        .insertInto('websub_subscriptions')
        .values({
          source_id: sourceId,
          hub_url: wanted.hub,
          topic_url: wanted.topic,
          callback_id: wanted.callbackId,
          secret: wanted.secret,
          state: 'subscribing',
          next_attempt_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    return true;
  });
}

/**
 * A subscription no longer wanted: one the hub verified is unsubscribed (§5.1, due now);
 * one it never verified is forgotten (a late verification then finds no subscription and
 * is refused, §5.3). The source stops counting on pushes either way.
 */
async function retireSubscription(trx: Transaction<DB>, row: WebSubSubscription, now: Date): Promise<void> {
  if (row.subscribed_until === null) await trx.deleteFrom('websub_subscriptions').where('id', '=', row.id).execute();
  else
    await trx
      .updateTable('websub_subscriptions')
      .set({ state: 'unsubscribing', next_attempt_at: now, attempts: 0, last_error: null, claim_owner: null, claim_until: null, updated_at: now })
      .where('id', '=', row.id)
      .execute();
  if (row.source_id !== null) await trx.updateTable('sources').set({ push_subscribed_until: null }).where('id', '=', row.source_id).execute();
}

/**
 * Retires the subscriptions of sources that are gone, paused, disabled or being deleted
 * (every one when `keepAny` is false: websub.subscribe turned off). Returns how many.
 */
export async function retireUnwantedSubscriptions(db: Kysely<DB>, keepAny: boolean, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('websub_subscriptions as w')
      .leftJoin('sources as s', 's.id', 'w.source_id')
      .selectAll('w')
      .where('w.state', '<>', 'unsubscribing')
      .where((eb) => (keepAny ? eb.or([eb('s.id', 'is', null), eb('s.enabled', '=', false), eb('s.deleting_since', 'is not', null)]) : eb.val(true)))
      .forUpdate('w')
      .skipLocked()
      .execute();
    for (const row of rows) await retireSubscription(trx, row, now);
    return rows.length;
  });
}

export interface SubscriptionClaim {
  owner: string;
  now: Date;
  leaseSeconds: number;
  limit: number;
}

/** Claims subscriptions whose next request is due (FOR UPDATE SKIP LOCKED plus a lease, as claimDueSources). */
export async function claimDueSubscriptions(db: Kysely<DB>, claim: SubscriptionClaim): Promise<WebSubSubscription[]> {
  const due = db
    .selectFrom('websub_subscriptions')
    .select('id')
    .where('next_attempt_at', '<=', claim.now)
    .where((eb) => eb.or([eb('claim_until', 'is', null), eb('claim_until', '<', claim.now)]))
    .orderBy('next_attempt_at')
    .limit(claim.limit)
    .forUpdate()
    .skipLocked();
  return db
    .updateTable('websub_subscriptions')
    .set({ claim_owner: claim.owner, claim_until: new Date(claim.now.getTime() + claim.leaseSeconds * 1000) })
    .where('id', 'in', due)
    .returningAll()
    .execute();
}

export interface HubRequestOutcome {
  now: Date;
  nextAttemptAt: Date;
  attempts: number;
  error: string | null;
}

/** Records a request sent to the hub (or its failure) and gives the claim back. */
export async function recordHubRequest(db: Executor, id: number, owner: string, outcome: HubRequestOutcome): Promise<void> {
  await db
    .updateTable('websub_subscriptions')
    .set({
      next_attempt_at: outcome.nextAttemptAt,
      attempts: outcome.attempts,
      last_error: outcome.error,
      claim_owner: null,
      claim_until: null,
      updated_at: outcome.now,
    })
    .where('id', '=', id)
    .where('claim_owner', '=', owner)
    .execute();
}

/** Forgets a subscription: its unsubscription was verified, or Tidings gave up telling the hub. */
export async function deleteSubscription(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('websub_subscriptions').where('id', '=', id).execute();
}

export async function findSubscriptionByCallback(db: Executor, callbackId: string): Promise<WebSubSubscription | undefined> {
  return db.selectFrom('websub_subscriptions').selectAll().where('callback_id', '=', callbackId).executeTakeFirst();
}

export interface Confirmation {
  now: Date;
  leaseSeconds: number;
  subscribedUntil: Date;
  renewAt: Date;
}

/** The hub verified a subscription Tidings asked for (§5.3): it is active until `subscribedUntil`. */
export async function confirmSubscription(db: Kysely<DB>, row: WebSubSubscription, confirmation: Confirmation): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('websub_subscriptions')
      .set({
        state: 'subscribed',
        lease_seconds: confirmation.leaseSeconds,
        subscribed_until: confirmation.subscribedUntil,
        next_attempt_at: confirmation.renewAt,
        attempts: 0,
        last_error: null,
        updated_at: confirmation.now,
      })
      .where('id', '=', row.id)
      .execute();
    if (row.source_id !== null)
      await trx.updateTable('sources').set({ push_subscribed_until: confirmation.subscribedUntil }).where('id', '=', row.source_id).execute();
  });
}

/** The hub refused the subscription (§5.2, hub.mode=denied): no pushes; asked again at `retryAt`. */
export async function recordDenial(db: Kysely<DB>, row: WebSubSubscription, reason: string, now: Date, retryAt: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('websub_subscriptions')
      .set({ state: 'subscribing', subscribed_until: null, next_attempt_at: retryAt, last_error: reason, updated_at: now })
      .where('id', '=', row.id)
      .execute();
    if (row.source_id !== null) await trx.updateTable('sources').set({ push_subscribed_until: null }).where('id', '=', row.source_id).execute();
  });
}

/** A push whose signature checked out, in the transaction that stored its items. */
export async function recordPush(db: Executor, id: number, now: Date): Promise<void> {
  await db
    .updateTable('websub_subscriptions')
    .set((eb) => ({ last_push_at: now, pushes: eb('pushes', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

/** A push refused (no or a wrong signature): nothing of it was stored. */
export async function recordRejectedPush(db: Executor, id: number): Promise<void> {
  await db
    .updateTable('websub_subscriptions')
    .set((eb) => ({ rejected_pushes: eb('rejected_pushes', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

/** What the admin sees of a source's push subscription (src/admin/source-view.ts), beside sources.push_subscribed_until. */
export interface PushHealth {
  push_state: WebSubSubscription['state'] | null;
  push_hub: string | null;
  push_last_at: Date | null;
  push_error: string | null;
}

/** The wanted subscription of each source, for the health listing (a left join: sources without one get nulls). */
export function wantedSubscriptions(db: Kysely<DB>) {
  return db
    .selectFrom('websub_subscriptions')
    .select(['source_id', 'state', 'hub_url', 'last_push_at', 'last_error'])
    .where('state', '<>', 'unsubscribing')
    .where(sql<boolean>`source_id is not null`);
}

/** The source a push is for, when it still takes content: enabled and not being deleted. */
export async function findPushedSource(db: Executor, sourceId: number): Promise<Source | undefined> {
  return db.selectFrom('sources').selectAll().where('id', '=', sourceId).where('enabled', '=', true).where('deleting_since', 'is', null).executeTakeFirst();
}
