/**
 * What admin page form posts leave to show (migrations/2026-12-03T00-00-admin-page-results.ts).
 * `sessionKey` is the session's digest as stored in admin_sessions (src/admin/sessions.ts);
 * times come from the caller's clock.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export interface NewPageResult {
  id: string;
  sessionKey: string;
  body: unknown;
  now: Date;
  expiresAt: Date;
}

/** PostgreSQL text and jsonb cannot hold U+0000, which a refused form may well contain: it is stored as U+FFFD. */
const withoutNul = (_key: string, value: unknown) => (typeof value === 'string' ? value.replaceAll('\u0000', '\uFFFD') : value);

export async function insertPageResult(db: Kysely<DB>, result: NewPageResult): Promise<void> {
  await db
    .insertInto('admin_page_results')
    .values({
      id: result.id,
      session_id: result.sessionKey,
      created_at: result.now,
      expires_at: result.expiresAt,
      body: sql<string>`${JSON.stringify(result.body, withoutNul)}::jsonb`,
    })
    .execute();
}

/** The result's body, when it exists, has not expired and belongs to this session; else undefined. */
export async function findPageResult(db: Kysely<DB>, id: string, sessionKey: string, now: Date): Promise<unknown> {
  const row = await db
    .selectFrom('admin_page_results')
    .select('body')
    .where('id', '=', id)
    .where('session_id', '=', sessionKey)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row?.body;
}

/** Deletes expired results; returns how many. */
export async function prunePageResults(db: Kysely<DB>, now: Date): Promise<number> {
  const result = await db.deleteFrom('admin_page_results').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
