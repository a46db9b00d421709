/**
 * All SQL of the built-in WebSub hub's subscriptions (W3C WebSub §5): one row per topic and
 * callback, written once the subscriber confirmed its intent (§5.3), with its lease's end.
 * Stored in the database, so every instance distributes to every subscriber.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface HubSubscription {
  topic_url: string;
  callback_url: string;
  secret: string | null;
  lease_seconds: number;
  expires_at: Date;
}

/** A verified subscription, or its renewal (§5.1: a new request for the same callback and topic replaces the old one). */
export async function saveHubSubscription(
  db: Executor,
  subscription: { topic: string; callback: string; secret: string | null; leaseSeconds: number },
  now: Date,
): Promise<void> {
  const expiresAt = new Date(now.getTime() + subscription.leaseSeconds * 1000);
  await db
    .insertInto('websub_hub_subscriptions')
    .values({
      topic_url: subscription.topic,
      callback_url: subscription.callback,
      secret: subscription.secret,
      lease_seconds: subscription.leaseSeconds,
      expires_at: expiresAt,
      created_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['topic_url', 'callback_url']).doUpdateSet({ secret: subscription.secret, lease_seconds: subscription.leaseSeconds, expires_at: expiresAt }),
    )
    .execute();
}

export async function removeHubSubscription(db: Executor, topic: string, callback: string): Promise<boolean> {
  const result = await db.deleteFrom('websub_hub_subscriptions').where('topic_url', '=', topic).where('callback_url', '=', callback).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The subscription of a callback to a topic, unless its lease has ended. */
export async function findHubSubscription(db: Executor, topic: string, callback: string, now: Date): Promise<HubSubscription | undefined> {
  return db
    .selectFrom('websub_hub_subscriptions')
    .select(['topic_url', 'callback_url', 'secret', 'lease_seconds', 'expires_at'])
    .where('topic_url', '=', topic)
    .where('callback_url', '=', callback)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** Drops the subscriptions whose lease ended (§5.1: a subscriber renews before then); returns how many. */
export async function dropExpiredHubSubscriptions(db: Executor, now: Date): Promise<number> {
  const result = await db.deleteFrom('websub_hub_subscriptions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function hubSubscriptions(db: Executor): Promise<HubSubscription[]> {
  return db.selectFrom('websub_hub_subscriptions').select(['topic_url', 'callback_url', 'secret', 'lease_seconds', 'expires_at']).orderBy('id').execute();
}
