import { sql, type Kysely } from 'kysely';

/**
 * Admin page sessions (src/admin/sessions.ts), in the database so that every instance
 * sharing it sees a log-out at once. `id` is the SHA-256 (hex) of the random id in the
 * cookie, never the id itself. Rows are deleted once expired (pruned at each log-in).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table admin_sessions (
      id text primary key,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      revoked_at timestamptz
    )`.execute(db);
  await sql`create index admin_sessions_expires_at on admin_sessions (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table admin_sessions`.execute(db);
}
