/**
 * Admin page sessions: a random id per log-in, kept (as a digest) in the database so that
 * logging out ends the session on every instance sharing it, not only in this browser.
 * The cookie carries the id signed under a key derived from ADMIN_TOKEN (src/http/auth.ts),
 * so changing the token ends every session too.
 */
import { createHash, randomBytes } from 'node:crypto';
import { adminSessionIsOpen, insertAdminSession, pruneAdminSessions, revokeAdminSession } from '../store/admin-sessions.ts';
import type { AdminContext } from './context.ts';

export const SESSION_TTL_SECONDS = 12 * 3600;

type SessionContext = Pick<AdminContext, 'db' | 'log' | 'now'>;

export interface AdminSessions {
  /** Starts a session; returns its id (256 random bits, base64url) for the cookie. */
  open(): Promise<string>;
  isOpen(id: string): Promise<boolean>;
  /** Ends it for every instance; an unknown or closed id is ignored. */
  close(id: string): Promise<void>;
}

/** What is stored: whoever reads the table cannot present it as a session. */
export function sessionKey(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** How the curation log names what a session did: the same key prefix its log lines carry. */
export function sessionActor(id: string): string {
  return `session ${sessionKey(id).slice(0, 12)}`;
}

export async function openSession(ctx: SessionContext): Promise<string> {
  const now = ctx.now();
  await pruneAdminSessions(ctx.db, now);
  const id = randomBytes(32).toString('base64url');
  await insertAdminSession(ctx.db, sessionKey(id), now, new Date(now.getTime() + SESSION_TTL_SECONDS * 1000));
  ctx.log.info({ action: 'session.open', session: sessionKey(id).slice(0, 12) }, 'admin logged in');
  return id;
}

export async function sessionIsOpen(ctx: SessionContext, id: string): Promise<boolean> {
  return id !== '' && adminSessionIsOpen(ctx.db, sessionKey(id), ctx.now());
}

export async function closeSession(ctx: SessionContext, id: string): Promise<void> {
  await revokeAdminSession(ctx.db, sessionKey(id), ctx.now());
  ctx.log.info({ action: 'session.close', session: sessionKey(id).slice(0, 12) }, 'admin logged out');
}

export function adminSessions(ctx: SessionContext): AdminSessions {
  return { open: () => openSession(ctx), isOpen: (id) => sessionIsOpen(ctx, id), close: (id) => closeSession(ctx, id) };
}
