import { sql, type Kysely } from 'kysely';

/**
 * What an admin page form post leaves to show (src/admin/page-results.ts): the post answers
 * 303 to a page naming the result by `id`, so a reload shows it again instead of repeating
 * the action. In the database, not in memory, because the page after the redirect may be
 * served by another instance. A result belongs to the session that made it (`session_id`,
 * the digest stored in admin_sessions), and goes with it; expired rows are deleted when the
 * next result is stored.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table admin_page_results (
      id text primary key,
      session_id text not null references admin_sessions (id) on delete cascade,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      body jsonb not null
    )`.execute(db);
  await sql`create index admin_page_results_session_id on admin_page_results (session_id)`.execute(db);
  await sql`create index admin_page_results_expires_at on admin_page_results (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table admin_page_results`.execute(db);
}
