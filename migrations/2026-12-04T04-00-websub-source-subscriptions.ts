import { sql, type Kysely } from 'kysely';

/**
 * WebSub subscriptions of sources whose feeds name a hub (W3C WebSub §5.1): one row per
 * subscription Tidings asked for, found by the random `callback_id` in its callback URL
 * (PUBLIC_URL/websub/callback/<callback_id>) and checked with its own `secret` (§8). At most
 * one per source that is wanted (`subscribing` or `subscribed`); rows being `unsubscribing`
 * outlive their source (`source_id` set null when it is deleted), so the hub is told.
 * `next_attempt_at` says when the subscriptions job next sends a request (a retry, a renewal
 * before `subscribed_until`); `claim_owner`/`claim_until` keep two instances from sending it
 * twice, like the sources' poll leases.
 *
 * `sources.push_subscribed_until` copies the verified lease end onto the source row, so a
 * poll schedules itself (polling.maxInterval while pushes arrive) without another query.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table websub_subscriptions (
      id serial primary key,
      source_id integer references sources (id) on delete set null,
      hub_url text not null,
      topic_url text not null,
      callback_id text not null unique,
      secret text not null,
      state text not null check (state in ('subscribing', 'subscribed', 'unsubscribing')),
      lease_seconds integer check (lease_seconds > 0),
      subscribed_until timestamptz,
      next_attempt_at timestamptz not null,
      attempts integer not null default 0,
      last_error text,
      last_push_at timestamptz,
      pushes integer not null default 0,
      rejected_pushes integer not null default 0,
      claim_owner text,
      claim_until timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index websub_subscriptions_wanted on websub_subscriptions (source_id) where state <> 'unsubscribing'`.execute(db);
  await sql`create index websub_subscriptions_next_attempt on websub_subscriptions (next_attempt_at)`.execute(db);
  await sql`alter table sources add column push_subscribed_until timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sources drop column push_subscribed_until`.execute(db);
  await sql`drop table websub_subscriptions`.execute(db);
}
