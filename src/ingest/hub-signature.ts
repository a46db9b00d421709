/**
 * The signature of pushed content (W3C WebSub §8, Authenticated Content Distribution): the
 * hub sends `X-Hub-Signature: method=signature`, the hex HMAC of the body with the
 * subscription's secret, method one of sha1, sha256, sha384, sha512. Compared in constant
 * time (crypto.timingSafeEqual), so a forger learns nothing from how long a refusal takes.
 * Pure.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const METHODS: ReadonlySet<string> = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

export type SignatureCheck = 'valid' | 'missing' | 'invalid';

export function checkHubSignature(header: string | null | undefined, secret: string, body: Uint8Array): SignatureCheck {
  if (header === null || header === undefined || header.trim() === '') return 'missing';
  const match = /^\s*([a-z0-9]+)=([0-9a-f]+)\s*$/i.exec(header);
  if (match === null) return 'invalid';
  const method = match[1]!.toLowerCase();
  if (!METHODS.has(method)) return 'invalid';
  const expected = createHmac(method, secret).update(body).digest();
  const given = Buffer.from(match[2]!.toLowerCase(), 'hex');
  // timingSafeEqual needs equal lengths; a wrong length is a wrong signature.
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid';
}

/** The header a hub would send for `body` (tests and the simulation's hub sign with it). */
export function hubSignature(method: 'sha1' | 'sha256' | 'sha384' | 'sha512', secret: string, body: Uint8Array): string {
  return `${method}=${createHmac(method, secret).update(body).digest('hex')}`;
}
