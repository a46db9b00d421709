import { sql, type Kysely } from 'kysely';

/** Sources (feeds to poll, with their health) and the items read from them. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table sources (
      id bigint generated always as identity primary key,
      url text not null unique,
      title text,
      site_url text,
      origin text not null check (origin in ('config', 'admin')),
      topics text[] not null default '{}',
      enabled boolean not null default true,
      disabled_reason text,
      etag text,
      last_modified text,
      poll_interval_seconds integer check (poll_interval_seconds > 0),
      next_poll_at timestamptz not null default now(),
      lease_owner text,
      lease_until timestamptz,
      last_polled_at timestamptz,
      last_success_at timestamptz,
      last_status integer,
      error_code text,
      error_message text,
      consecutive_failures integer not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  // The poll job's claim query: enabled sources in due order.
  await sql`create index sources_due_idx on sources (next_poll_at) where enabled`.execute(db);

  await sql`
    create table items (
      id bigint generated always as identity primary key,
      source_id bigint not null references sources (id) on delete cascade,
      item_key text not null,
      url text,
      canonical_url text,
      title text not null,
      summary text not null,
      content_html text,
      author text,
      categories text[] not null default '{}',
      enclosure_url text,
      enclosure_type text,
      enclosure_length bigint,
      published_at timestamptz not null,
      feed_published_at timestamptz,
      feed_updated_at timestamptz,
      first_seen_at timestamptz not null default now(),
      changed_at timestamptz not null default now(),
      content_hash text not null,
      unique (source_id, item_key)
    )`.execute(db);
  await sql`create index items_published_at_idx on items (published_at desc)`.execute(db);
  // Hash index: canonical URLs can exceed a btree entry's size limit, and we only look them up by equality.
  await sql`create index items_canonical_url_idx on items using hash (canonical_url)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table items`.execute(db);
  await sql`drop table sources`.execute(db);
}
