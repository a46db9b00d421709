/**
 * Admin authentication, one secret for everything: ADMIN_TOKEN.
 *
 * - The API takes `Authorization: Bearer <ADMIN_TOKEN>`.
 * - The admin page logs in with the token once and then holds a session cookie
 *   (HttpOnly, SameSite=Strict, Path=/admin, Secure behind https): a random session id,
 *   kept in the database (src/admin/sessions.ts) so that logging out ends it on every
 *   instance, signed with a key derived from the token, so that changing ADMIN_TOKEN
 *   ends every session.
 * - Each page form carries a CSRF token: an HMAC of the session under a second derived
 *   key. SameSite=Strict already keeps other sites' requests from carrying the cookie;
 *   the token (and an Origin check) defend browsers or setups where it does not.
 *
 * Comparisons are constant-time on fixed-length digests, so neither the token's content
 * nor its length leaks through timing.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SESSION_TTL_SECONDS } from '../admin/sessions.ts';

export { SESSION_TTL_SECONDS };
export const SESSION_COOKIE = 'tidings_admin';

/** Constant-time string equality (on SHA-256 digests, so lengths may differ). */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), else null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

export interface SessionKeys {
  session: Buffer;
  csrf: Buffer;
}

/** Keys derived from ADMIN_TOKEN, so sessions need no shared state between instances. */
export function deriveKeys(adminToken: string): SessionKeys {
  const derive = (purpose: string) => createHmac('sha256', adminToken).update(`tidings admin ${purpose} v1`).digest();
  return { session: derive('session'), csrf: derive('csrf') };
}

function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

/** The cookie value of a session: `v2.<session id>.<signature>`. */
export function signSession(keys: SessionKeys, id: string): string {
  const payload = `v2.${id}`;
  return `${payload}.${mac(keys.session, payload)}`;
}

/** The session id of a cookie value we signed (under this token), else null. Whether it is still open is the database's to say. */
export function sessionIdOf(keys: SessionKeys, value: string | null): string | null {
  if (value === null) return null;
  const match = /^(v2\.([\w-]{16,64}))\.([\w-]{43})$/.exec(value);
  if (!match || !safeEqual(match[3]!, mac(keys.session, match[1]!))) return null;
  return match[2]!;
}

/** The CSRF token of a session, for the page's forms. */
export function csrfToken(keys: SessionKeys, session: string): string {
  return mac(keys.csrf, session);
}

export function verifyCsrf(keys: SessionKeys, session: string, token: unknown): boolean {
  return typeof token === 'string' && safeEqual(token, csrfToken(keys, session));
}

/** A cookie's value from a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The Set-Cookie header for a session (an empty value with Max-Age=0 clears it). */
export function sessionCookie(value: string, secure: boolean, maxAgeSeconds = SESSION_TTL_SECONDS): string {
  return [`${SESSION_COOKIE}=${value}`, 'Path=/admin', `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}

export type TokenCheck = { ok: true } | { ok: false; retryAfter: number | null };

/**
 * Checks a given admin token. The right one always passes, even from an address that is
 * locked out: otherwise anyone (or, behind a proxy, everyone sharing its address) could
 * keep the admin out by sending wrong tokens. Only wrong tokens count, and once an address
 * has sent too many, its next wrong ones get `retryAfter` (429) rather than 401.
 */
export function checkAdminToken(given: string, expected: string, limiter: AttemptLimiter, client: string, now: number): TokenCheck {
  if (safeEqual(given, expected)) return { ok: true };
  const wait = limiter.retryAfter(client, now);
  if (wait !== null) return { ok: false, retryAfter: wait };
  limiter.failed(client, now);
  return { ok: false, retryAfter: null };
}

export interface AttemptLimiter {
  /** Seconds until `key` may try again, or null when it may try now. */
  retryAfter(key: string, now: number): number | null;
  failed(key: string, now: number): void;
}

/**
 * Counts wrong tokens per client address: after `max` in `windowMs`, further wrong ones
 * are refused until the window ends. A long random token is the real defence; this only
 * makes guessing noisy and slow. At most `maxKeys` addresses are tracked (the oldest
 * windows are forgotten first), so many addresses cannot grow it without bound.
 */
export function createAttemptLimiter(max: number, windowMs: number, maxKeys = 10_000): AttemptLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    retryAfter(key, now) {
      const entry = windows.get(key);
      if (!entry || entry.resetAt <= now || entry.count < max) return null;
      return Math.ceil((entry.resetAt - now) / 1000);
    },
    failed(key, now) {
      if (windows.size >= maxKeys) {
        for (const [k, e] of windows) if (e.resetAt <= now) windows.delete(k);
        // Insertion order is window order: the first keys are the oldest windows.
        for (const k of windows.keys()) {
          if (windows.size < maxKeys) break;
          windows.delete(k);
        }
      }
      const entry = windows.get(key);
      if (!entry || entry.resetAt <= now) windows.set(key, { count: 1, resetAt: now + windowMs });
      else entry.count++;
    },
  };
}
