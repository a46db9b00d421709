import { describe, expect, it } from 'vitest';
import { checkHubSignature, hubSignature } from '../../../src/ingest/hub-signature.ts';

const body = Buffer.from('<rss version="2.0"><channel><title>T</title></channel></rss>');
const secret = 'a-subscription-secret';

describe('checkHubSignature (W3C WebSub §8)', () => {
  it.each(['sha1', 'sha256', 'sha384', 'sha512'] as const)('accepts a %s HMAC of the body with the secret', (method) => {
    expect(checkHubSignature(hubSignature(method, secret, body), secret, body)).toBe('valid');
  });

  it('accepts upper-case hex and method', () => {
    expect(checkHubSignature(hubSignature('sha256', secret, body).toUpperCase(), secret, body)).toBe('valid');
  });

  it('refuses another secret, another body, a cut signature, an unknown method and garbage', () => {
    expect(checkHubSignature(hubSignature('sha256', 'another secret', body), secret, body)).toBe('invalid');
    expect(checkHubSignature(hubSignature('sha256', secret, Buffer.from('other')), secret, body)).toBe('invalid');
    expect(checkHubSignature(hubSignature('sha256', secret, body).slice(0, -2), secret, body)).toBe('invalid');
    expect(checkHubSignature(`md5=${'0'.repeat(32)}`, secret, body)).toBe('invalid');
    expect(checkHubSignature('sha256', secret, body)).toBe('invalid');
  });

  it('tells a missing signature apart', () => {
    expect(checkHubSignature(null, secret, body)).toBe('missing');
    expect(checkHubSignature('  ', secret, body)).toBe('missing');
  });
});
