import { sql, type Kysely } from 'kysely';

/**
 * Near-duplicate signatures on items (src/ingest/fingerprint.ts), the reason each item
 * is in its story, and per-source grouping settings.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table items
      add column fingerprint bigint,
      add column lead_fingerprint bigint,
      add column bucket_keys bigint[] not null default '{}',
      add column title_key text[] not null default '{}',
      add column numbers text[] not null default '{}',
      add column body_length integer not null default 0,
      add column signature_version smallint not null default 0,
      add column story_reason jsonb`.execute(db);
  // Candidate look-up: items sharing any bucket key (an index, not a scan, at millions of items).
  // fastupdate off: every insert is followed by look-ups, and GIN's pending list would make
  // each look-up scan every entry inserted since the last vacuum.
  await sql`create index items_bucket_keys_idx on items using gin (bucket_keys) with (fastupdate = off)`.execute(db);
  // Items committed by a poll and not grouped yet, oldest first (src/store/story-grouping.ts).
  await sql`create index items_ungrouped_idx on items (published_at, id) where story_id is null`.execute(db);
  await sql`
    alter table sources
      add column priority integer not null default 0,
      add column near_duplicates boolean not null default true`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sources drop column near_duplicates, drop column priority`.execute(db);
  await sql`drop index items_ungrouped_idx`.execute(db);
  await sql`drop index items_bucket_keys_idx`.execute(db);
  await sql`
    alter table items
      drop column story_reason, drop column signature_version, drop column body_length, drop column numbers,
      drop column title_key, drop column bucket_keys, drop column lead_fingerprint, drop column fingerprint`.execute(db);
}
