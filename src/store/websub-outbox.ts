/**
 * All SQL of the WebSub outbox (migrations/2026-12-04T03-00-websub-publishing.ts): requests
 * owed to hubs and subscribers, queued in the transaction that made them due, so each change
 * is sent once whichever instance saved it, and none is lost to a crash. Senders claim due
 * rows under a lease (FOR UPDATE SKIP LOCKED, as source-claims.ts does for polls); a row is
 * deleted once sent or given up, and pushed back after a failure.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, WebSubOutboxKind } from '../db/schema.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface OutboxRow {
  id: number;
  kind: WebSubOutboxKind;
  target_url: string;
  topic_url: string;
  mode: 'subscribe' | 'unsubscribe' | null;
  lease_seconds: number | null;
  secret: string | null;
  attempts: number;
}

/**
 * Queues, for the documents (`topicUrls`) that just changed, a publish ping to each hub and a
 * content distribution to each subscriber of the built-in hub whose lease still runs. A
 * request of the same kind to the same target for the same topic that is still waiting for
 * its first attempt is not queued twice: when it goes, it tells of (or carries) the latest
 * content anyway.
 */
export async function queueDocumentChanges(
  trx: Executor,
  changed: { hubs: readonly string[]; topicUrls: readonly string[]; toSubscribers: boolean },
  now: Date,
): Promise<void> {
  const { hubs, topicUrls } = changed;
  if (topicUrls.length === 0) return;
  const pings = hubs.flatMap((hub) => topicUrls.map((topic) => ({ hub, topic })));
  if (pings.length > 0) {
    const values = sql.join(pings.map((ping) => sql`(${ping.hub}, ${ping.topic})`));
    await sql`
      insert into websub_outbox (kind, target_url, topic_url, next_attempt_at)
      select 'publish', v.hub, v.topic, ${now}::timestamptz
      from (values ${values}) as v (hub, topic)
      where not exists (${waiting('publish', sql`v.hub`, sql`v.topic`)})`.execute(trx);
  }
  if (!changed.toSubscribers) return;
  await sql`
    insert into websub_outbox (kind, target_url, topic_url, next_attempt_at)
    select 'deliver', s.callback_url, s.topic_url, ${now}::timestamptz
    from websub_hub_subscriptions s
    where s.topic_url in (${sql.join(topicUrls)}) and s.expires_at > ${now}
      and not exists (${waiting('deliver', sql`s.callback_url`, sql`s.topic_url`)})`.execute(trx);
}

function waiting(kind: WebSubOutboxKind, target: ReturnType<typeof sql>, topic: ReturnType<typeof sql>) {
  return sql`select 1 from websub_outbox o
    where o.kind = ${kind} and o.target_url = ${target} and o.topic_url = ${topic} and o.attempts = 0 and o.lease_owner is null`;
}

/** Queues the verification of a subscription request (WebSub §5.3), to be made at once. */
export async function queueVerification(
  db: Executor,
  request: { mode: 'subscribe' | 'unsubscribe'; callback: string; topic: string; leaseSeconds: number; secret: string | null },
  now: Date,
): Promise<void> {
  await db
    .insertInto('websub_outbox')
    .values({
      kind: 'verify',
      target_url: request.callback,
      topic_url: request.topic,
      mode: request.mode,
      lease_seconds: request.leaseSeconds,
      secret: request.secret,
      next_attempt_at: now,
    })
    .execute();
}

/** Claims up to `limit` due rows for `owner` until `leaseUntil`; another sender skips them. */
export async function claimDueRequests(db: Kysely<DB>, owner: string, now: Date, leaseUntil: Date, limit: number): Promise<OutboxRow[]> {
  const due = db
    .selectFrom('websub_outbox')
    .select('id')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .orderBy('next_attempt_at')
    .limit(limit)
    .forUpdate()
    .skipLocked();
  return db
    .updateTable('websub_outbox')
    .set({ lease_owner: owner, lease_until: leaseUntil })
    .where('id', 'in', due)
    .returning(['id', 'kind', 'target_url', 'topic_url', 'mode', 'lease_seconds', 'secret', 'attempts'])
    .execute();
}

/** A request sent (or given up): it leaves the queue. */
export async function finishRequest(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('websub_outbox').where('id', '=', id).execute();
}

/** A failed attempt: tried again at `retryAt`, by whichever sender claims it then. */
export async function retryRequest(db: Executor, id: number, retryAt: Date, error: string): Promise<void> {
  await db
    .updateTable('websub_outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: retryAt, lease_owner: null, lease_until: null, last_error: error.slice(0, 500) }))
    .where('id', '=', id)
    .execute();
}

/** Rows waiting, by kind (tests, and the admin's curiosity). */
export async function outboxCounts(db: Executor): Promise<Partial<Record<WebSubOutboxKind, number>>> {
  const rows = await db
    .selectFrom('websub_outbox')
    .select(['kind', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy('kind')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.kind, Number(row.count)]));
}
