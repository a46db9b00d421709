import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnv } from '../../../src/config/env.ts';

describe('readEnv', () => {
  it('uses the documented defaults', () => {
    const env = readEnv({});
    expect(env).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: null, adminToken: null, publicUrl: 'http://127.0.0.1:8080', logLevel: 'info' });
    expect(env.dataDir).toBe(path.resolve('data'));
    expect(env.feedsConfigPath).toBe(path.resolve('feeds.config.json'));
  });

  it('treats empty variables as unset', () => {
    expect(readEnv({ DATABASE_URL: '', ADMIN_TOKEN: '  ' })).toMatchObject({ databaseUrl: null, adminToken: null });
  });

  it('strips the trailing slash of PUBLIC_URL', () => {
    expect(readEnv({ PUBLIC_URL: 'https://feeds.example.org/' }).publicUrl).toBe('https://feeds.example.org');
  });

  it('names the variable when a value is invalid', () => {
    expect(() => readEnv({ PORT: 'eighty' })).toThrow('PORT: must be a port number');
    expect(() => readEnv({ DATABASE_URL: 'mysql://x' })).toThrow('DATABASE_URL: must be a postgres:// URL');
    expect(() => readEnv({ LOG_LEVEL: 'loud' })).toThrow('LOG_LEVEL: must be one of');
  });

  it('reads EMBEDDED_PROFILE (default small, large raises the shared buffers), refusing other values', () => {
    expect(readEnv({}).embeddedProfile).toBe('small');
    expect(readEnv({ EMBEDDED_PROFILE: 'large' })).toMatchObject({ embeddedProfile: 'large', embeddedSharedBuffers: '128MB' });
    expect(readEnv({ EMBEDDED_PROFILE: 'large', EMBEDDED_SHARED_BUFFERS: '64MB' }).embeddedSharedBuffers).toBe('64MB');
    expect(() => readEnv({ EMBEDDED_PROFILE: 'fast' })).toThrow(
      'EMBEDDED_PROFILE: must be "small" (least memory, the default) or "large" (faster, for hundreds of sources), got "fast"',
    );
  });

  it('sizes the shared buffers of the embedded database from EMBEDDED_SHARED_BUFFERS (default 8MB), refusing odd sizes', () => {
    expect(readEnv({}).embeddedSharedBuffers).toBe('8MB');
    expect(readEnv({ EMBEDDED_SHARED_BUFFERS: '128 MB' }).embeddedSharedBuffers).toBe('128MB');
    expect(() => readEnv({ EMBEDDED_SHARED_BUFFERS: 'lots' })).toThrow(
      'EMBEDDED_SHARED_BUFFERS: must be a size from 1MB to 4GB such as 16MB or 128MB (units kB, MB, GB), got "lots"',
    );
    expect(() => readEnv({ EMBEDDED_SHARED_BUFFERS: '512kB' })).toThrow('EMBEDDED_SHARED_BUFFERS: must be a size from 1MB');
  });

  it('reads TRUST_PROXY as true/false or a list of proxy addresses and ranges (default: trust none)', () => {
    expect(readEnv({}).trustProxy).toBe(false);
    expect(readEnv({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(readEnv({ TRUST_PROXY: 'FALSE' }).trustProxy).toBe(false);
    expect(readEnv({ TRUST_PROXY: ' 10.0.0.0/8, 127.0.0.1 ,::1,fd00::/8, loopback ' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });

  it('refuses a TRUST_PROXY it cannot use, saying what it accepts', () => {
    expect(() => readEnv({ TRUST_PROXY: 'proxy.internal' })).toThrow('TRUST_PROXY: "proxy.internal" is not an IP address or CIDR range');
    expect(() => readEnv({ TRUST_PROXY: '10.0.0.0/33' })).toThrow('TRUST_PROXY: "10.0.0.0/33" is not an IP address or CIDR range');
    expect(() => readEnv({ TRUST_PROXY: '10.0.0.1,' })).toThrow('TRUST_PROXY: an empty entry');
    // fastify 5 ignores a hop count (it cannot tell a proxy from a client): refuse it rather than silently trust nothing.
    expect(() => readEnv({ TRUST_PROXY: '1' })).toThrow('TRUST_PROXY: a number of hops is not supported');
  });

  it('reads METRICS_TOKEN (unset: /metrics is public)', () => {
    expect(readEnv({}).metricsToken).toBeNull();
    expect(readEnv({ METRICS_TOKEN: ' scrape-secret ' }).metricsToken).toBe('scrape-secret');
  });
});
