/**
 * The fetch stage through real sockets: the SSRF guard blocks private addresses, by IP
 * literal, by name and behind redirects, before any connection is made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetcherOptions } from '../../../src/ingest/fetch/index.ts';
import { fakeLookup } from '../../helpers/fake-dns.ts';
import { expectFeedError, sendFeed, startServer, useFetchers, type TestServer } from '../../helpers/fetch-harness.ts';

const fetcher = useFetchers();

describe('fetch: SSRF guard', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      '/feed': (_req, res) => sendFeed(res),
      '/to': (_req, res, url) => res.writeHead(302, { location: url.searchParams.get('url')! }).end(),
    });
  });
  afterAll(() => server.close());

  const guarded = (overrides: Partial<FetcherOptions> = {}) =>
    fetcher({
      allowPrivateNetworks: false,
      lookup: fakeLookup({ 'loopback.test': '127.0.0.1', 'internal.test': '10.0.0.5', 'mixed.test': '127.0.0.1' }),
      timeoutMs: 1_000,
      ...overrides,
    });

  it.each([
    ['127.0.0.1', () => `${server.origin}/feed`, 'http://127.0.0.1:PORT is a loopback address'],
    ['[::1]', () => `http://[::1]:${server.port}/feed`, 'http://[::1]:PORT is a loopback address'],
    ['10.0.0.1', () => 'http://10.0.0.1/feed', 'http://10.0.0.1 is a private address'],
    ['169.254.169.254', () => 'http://169.254.169.254/latest/meta-data/', 'http://169.254.169.254 is a link-local address (the cloud metadata endpoint)'],
    ['[::ffff:127.0.0.1]', () => `http://[::ffff:127.0.0.1]:${server.port}/feed`, 'is a loopback address'],
    ['a name resolving to 127.0.0.1', () => `http://loopback.test:${server.port}/feed`, 'loopback.test resolves to 127.0.0.1, a loopback address'],
  ])('blocks %s', async (_label, url, message) => {
    const before = server.requests.length;
    const error = await expectFeedError(guarded().fetchFeed({ url: url() }), 'blocked_address');
    expect(error.message).toContain(message.replace('PORT', String(server.port)));
    expect(error.message).toContain('set polling.allowPrivateNetworks to allow it');
    expect(server.requests.length).toBe(before); // never connected
  });

  it('allows the same server when private networks are allowed', async () => {
    const result = await fetcher({
      allowPrivateNetworks: true,
      lookup: fakeLookup({ 'loopback.test': '127.0.0.1' }),
    }).fetchFeed({ url: `http://loopback.test:${server.port}/feed` });
    expect(result.kind).toBe('ok');
  });

  describe('redirects from an allowed server', () => {
    // Only 127.0.0.1 itself is let through (by IP literal or by name); every
    // other private address, including the rest of 127/8, stays blocked.
    const allowOne = (address: string) => address === '127.0.0.1';

    it('reaches the allowed test address, by IP and by name', async () => {
      const f = guarded({ isAllowedAddress: allowOne });
      expect((await f.fetchFeed({ url: `${server.origin}/feed` })).kind).toBe('ok');
      expect((await f.fetchFeed({ url: `http://loopback.test:${server.port}/feed` })).kind).toBe('ok');
    });

    it.each([
      ['a private IP literal', () => 'http://10.0.0.1/feed', 'http://10.0.0.1 is a private address'],
      ['the metadata endpoint', () => 'http://169.254.169.254/latest/meta-data/', 'the cloud metadata endpoint'],
      ['another loopback address', () => `http://127.0.0.2:${server.port}/feed`, 'is a loopback address'],
      ['IPv6 loopback', () => `http://[::1]:${server.port}/feed`, 'is a loopback address'],
      ['a name resolving to a private address', () => `http://internal.test:${server.port}/feed`, 'internal.test resolves to 10.0.0.5, a private address'],
    ])('blocks a redirect to %s', async (_label, target, message) => {
      const start = `${server.origin}/to?url=${encodeURIComponent(target())}`;
      const error = await expectFeedError(guarded({ isAllowedAddress: allowOne }).fetchFeed({ url: start }), 'blocked_address');
      expect(error.message).toContain(message);
      expect(error.message).toContain(`(redirected from ${start})`);
    });
  });
});
