/**
 * Admin page sessions (migrations/2026-12-02T05-00-admin-sessions.ts). Keys are digests of
 * the session ids (src/admin/sessions.ts hashes them); times come from the caller's clock.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export async function insertAdminSession(db: Kysely<DB>, key: string, now: Date, expiresAt: Date): Promise<void> {
  await db.insertInto('admin_sessions').values({ id: key, created_at: now, expires_at: expiresAt }).execute();
}

/** True when the session exists, has not expired and was not revoked. */
export async function adminSessionIsOpen(db: Kysely<DB>, key: string, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('admin_sessions')
    .select('id')
    .where('id', '=', key)
    .where('expires_at', '>', now)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

export async function revokeAdminSession(db: Kysely<DB>, key: string, now: Date): Promise<void> {
  await db.updateTable('admin_sessions').set({ revoked_at: now }).where('id', '=', key).where('revoked_at', 'is', null).execute();
}

/** Deletes expired sessions (revoked or not); returns how many. */
export async function pruneAdminSessions(db: Kysely<DB>, now: Date): Promise<number> {
  const result = await db.deleteFrom('admin_sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
