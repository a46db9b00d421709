import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  checkAdminToken,
  createAttemptLimiter,
  csrfToken,
  deriveKeys,
  readCookie,
  safeEqual,
  sessionCookie,
  sessionIdOf,
  SESSION_TTL_SECONDS,
  signSession,
  verifyCsrf,
} from '../../../src/http/auth.ts';

const keys = deriveKeys('a-long-random-admin-token-0123456789');
const id = 'Q2hvc2VuIGJ5IG9wZW5TZXNzaW9uOyByYW5kb20gMzIgYnl0ZXM';

describe('admin auth helpers', () => {
  it('compares in constant time on digests, whatever the lengths', () => {
    expect(safeEqual('secret', 'secret')).toBe(true);
    expect(safeEqual('secret', 'secreT')).toBe(false);
    expect(safeEqual('', 'secret')).toBe(false);
    expect(safeEqual('secret-but-longer', 'secret')).toBe(false);
  });

  it('reads Bearer tokens only', () => {
    expect(bearerToken('Bearer abc.DEF-123')).toBe('abc.DEF-123');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic YWRtaW46eA==')).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });

  it('signs session ids so that they verify only under the same token', () => {
    const value = signSession(keys, id);
    expect(value).toMatch(/^v2\.[\w-]+\.[\w-]{43}$/);
    expect(sessionIdOf(keys, value)).toBe(id);
    expect(sessionIdOf(deriveKeys('another-token'), value)).toBeNull();
  });

  it('refuses forged or altered session values', () => {
    const value = signSession(keys, id);
    const [version, , signature] = value.split('.');
    expect(sessionIdOf(keys, `${version}.${id}x.${signature}`)).toBeNull();
    // Alter the first character (the last one of base64url carries padding bits, and may already be 'A').
    const altered = `${signature![0] === 'A' ? 'B' : 'A'}${signature!.slice(1)}`;
    expect(sessionIdOf(keys, `${version}.${id}.${altered}`)).toBeNull();
    for (const junk of [null, '', 'v2', 'v2..', `v1.${id}.${signature}`, `v2.${'a'.repeat(200)}.${signature}`, `${value}.extra`])
      expect(sessionIdOf(keys, junk)).toBeNull();
  });

  it('ties CSRF tokens to the session', () => {
    const session = signSession(keys, id);
    const token = csrfToken(keys, session);
    expect(verifyCsrf(keys, session, token)).toBe(true);
    expect(verifyCsrf(keys, signSession(keys, `${id}2`), token)).toBe(false);
    expect(verifyCsrf(keys, session, undefined)).toBe(false);
    expect(verifyCsrf(keys, session, [token])).toBe(false);
    expect(token).not.toContain(id);
  });

  it('writes a locked-down cookie and reads it back', () => {
    expect(sessionCookie('v', false)).toBe(`tidings_admin=v; Path=/admin; Max-Age=${SESSION_TTL_SECONDS}; HttpOnly; SameSite=Strict`);
    expect(sessionCookie('v', true)).toMatch(/; Secure$/);
    expect(sessionCookie('', false, 0)).toContain('Max-Age=0');
    expect(readCookie('a=1; tidings_admin=v1.2.3.4; b=2', 'tidings_admin')).toBe('v1.2.3.4');
    expect(readCookie('xtidings_admin=1', 'tidings_admin')).toBeNull();
    expect(readCookie(undefined, 'tidings_admin')).toBeNull();
  });

  it('limits wrong attempts per address within a window', () => {
    const limiter = createAttemptLimiter(3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter('1.2.3.4', 1000)).toBeNull();
      limiter.failed('1.2.3.4', 1000);
    }
    expect(limiter.retryAfter('1.2.3.4', 1000)).toBe(60);
    expect(limiter.retryAfter('1.2.3.4', 31_000)).toBe(30);
    expect(limiter.retryAfter('5.6.7.8', 1000)).toBeNull();
    expect(limiter.retryAfter('1.2.3.4', 61_000)).toBeNull();
  });

  it('forgets the oldest addresses first when tracking too many', () => {
    const limiter = createAttemptLimiter(1, 60_000, 3);
    for (const address of ['a', 'b', 'c', 'd']) limiter.failed(address, 1000);
    expect(limiter.retryAfter('a', 1000)).toBeNull();
    for (const address of ['b', 'c', 'd']) expect(limiter.retryAfter(address, 1000)).toBe(60);
  });

  it('lets the right token through a lock-out, and counts only wrong ones', () => {
    const limiter = createAttemptLimiter(2, 60_000);
    const check = (token: string) => checkAdminToken(token, 'right', limiter, '1.2.3.4', 1000);
    expect(check('right')).toEqual({ ok: true });
    expect(check('wrong')).toEqual({ ok: false, retryAfter: null });
    expect(check('right')).toEqual({ ok: true });
    expect(check('wrong')).toEqual({ ok: false, retryAfter: null });
    expect(check('wrong')).toEqual({ ok: false, retryAfter: 60 });
    expect(check('right')).toEqual({ ok: true });
  });
});
