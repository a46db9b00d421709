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
});
