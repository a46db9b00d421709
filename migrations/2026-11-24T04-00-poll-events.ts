import { sql, type Kysely } from 'kysely';

/**
 * One row per poll of a source (its outcome, status, error, counts and duration), so an
 * admin sees a source's recent history and not only its latest error. Pruned to the
 * newest rows per source as new ones arrive (src/store/poll-events.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table poll_events (
      id bigint generated always as identity primary key,
      source_id bigint not null references sources (id) on delete cascade,
      polled_at timestamptz not null,
      outcome text not null check (outcome in ('stored', 'not_modified', 'failed')),
      status integer,
      error_code text,
      error_message text,
      new_items integer not null default 0,
      updated_items integer not null default 0,
      duration_ms integer not null default 0
    )`.execute(db);
  // A source's history, newest first; also what pruning walks.
  await sql`create index poll_events_source_idx on poll_events (source_id, id desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table poll_events`.execute(db);
}
