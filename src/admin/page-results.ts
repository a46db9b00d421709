/**
 * What an admin page form post leaves for the page it redirects to (post/redirect/get): an
 * OPML import's summary, a feed preview, a refusal with the form to correct. The post stores
 * the result under a short random id and answers 303 to a page URL naming it, so reloading
 * that page shows the result again and never repeats the action. A result is kept for an
 * hour and shown only to the session that made it: the id in a URL (history, logs, a
 * shoulder) is no use to anyone else. The body is the page's own JSON; this module does not
 * look inside it.
 */
import { randomBytes } from 'node:crypto';
import { findPageResult, insertPageResult, prunePageResults } from '../store/admin-page-results.ts';
import type { AdminContext } from './context.ts';
import { sessionKey } from './sessions.ts';

export const PAGE_RESULT_TTL_SECONDS = 3600;

/** 96 random bits, base64url: short enough for a URL, and only ever paired with its session. */
const RESULT_ID = /^[\w-]{16}$/;

type ResultContext = Pick<AdminContext, 'db' | 'now'>;

export interface PageResults {
  /** Stores a result for this session; returns its id. */
  save(sessionId: string, body: unknown): Promise<string>;
  /** The result's body, if it is this session's and has not expired; else undefined (also for an id that is not one). */
  read(sessionId: string, id: string): Promise<unknown>;
}

export async function savePageResult(ctx: ResultContext, sessionId: string, body: unknown): Promise<string> {
  const now = ctx.now();
  await prunePageResults(ctx.db, now);
  const id = randomBytes(12).toString('base64url');
  await insertPageResult(ctx.db, { id, sessionKey: sessionKey(sessionId), body, now, expiresAt: new Date(now.getTime() + PAGE_RESULT_TTL_SECONDS * 1000) });
  return id;
}

export async function readPageResult(ctx: ResultContext, sessionId: string, id: string): Promise<unknown> {
  if (!RESULT_ID.test(id)) return undefined;
  return findPageResult(ctx.db, id, sessionKey(sessionId), ctx.now());
}

export function pageResults(ctx: ResultContext): PageResults {
  return { save: (sessionId, body) => savePageResult(ctx, sessionId, body), read: (sessionId, id) => readPageResult(ctx, sessionId, id) };
}
