import { sql, type Kysely } from 'kysely';

/**
 * WebSub publishing (W3C WebSub, 2018). `websub_hub_subscriptions`: the verified
 * subscriptions of the built-in hub (§5.1, §5.3), one per topic and callback, until their
 * lease ends. `websub_outbox`: the requests Tidings owes others, queued in the transaction
 * that saved a changed document (or that accepted a subscription request) so every change
 * is sent once whichever instance made it: publish pings to the configured hubs, intent
 * verifications (§5.3) and content distributions (§7) to subscribers. A sender claims rows
 * under a lease (FOR UPDATE SKIP LOCKED), deletes them when done and pushes
 * `next_attempt_at` back after a failure (src/store/websub-outbox.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table websub_hub_subscriptions (
      id bigint generated always as identity primary key,
      topic_url text not null,
      callback_url text not null,
      secret text,
      lease_seconds integer not null check (lease_seconds > 0),
      expires_at timestamptz not null,
      created_at timestamptz not null default now(),
      unique (topic_url, callback_url)
    )`.execute(db);
  await sql`create index websub_hub_subscriptions_expiry on websub_hub_subscriptions (expires_at)`.execute(db);
  await sql`
    create table websub_outbox (
      id bigint generated always as identity primary key,
      kind text not null check (kind in ('publish', 'verify', 'deliver')),
      target_url text not null,
      topic_url text not null,
      mode text check (mode in ('subscribe', 'unsubscribe')),
      lease_seconds integer,
      secret text,
      attempts integer not null default 0,
      next_attempt_at timestamptz not null,
      lease_owner text,
      lease_until timestamptz,
      last_error text,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index websub_outbox_due on websub_outbox (next_attempt_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table websub_outbox`.execute(db);
  await sql`drop table websub_hub_subscriptions`.execute(db);
}
