import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFeedsConfig, parseFeedsConfig } from '../../../src/config/load-config.ts';
import { ConfigError } from '../../../src/errors.ts';

function problems(value: unknown): string {
  try {
    parseFeedsConfig(value, 'feeds.config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('feeds.config.json validation', () => {
  it('accepts the shipped config', () => {
    const config = loadFeedsConfig(path.resolve('feeds.config.json'));
    expect(config.topics.map((t) => t.slug)).toContain('korea');
    expect(config.sources.length).toBeGreaterThanOrEqual(8);
  });

  it('fills documented defaults', () => {
    const config = parseFeedsConfig({}, 'x.json');
    expect(config.polling).toMatchObject({
      schedule: '*/10 * * * *',
      concurrency: 16,
      perHost: 2,
      timeoutMs: 20000,
      maxBytes: 10485760,
      allowPrivateNetworks: false,
      minInterval: 600,
      maxInterval: 86400,
    });
    expect(config.retention.days).toBe(90);
  });

  it('names the file, the field path and the problem for a bad source URL', () => {
    const sources = [{ url: 'https://a.example/1' }, { url: 'https://a.example/2' }, { url: 'https://a.example/3' }, { url: 'ftp://a.example/feed' }];
    expect(problems({ sources })).toBe('feeds.config.json: sources[3].url: must be an http(s) URL');
  });

  it('rejects a source that names an unknown topic', () => {
    expect(problems({ topics: [], sources: [{ url: 'https://a.example/', topics: ['korea'] }] })).toBe(
      'feeds.config.json: sources[0].topics[0]: unknown topic "korea" (not in topics[])',
    );
  });

  it('rejects duplicate source URLs', () => {
    expect(problems({ sources: [{ url: 'https://a.example/' }, { url: 'https://a.example/' }] })).toContain('sources[1].url: duplicate source');
  });

  it('rejects unknown fields, naming them', () => {
    expect(problems({ polling: { concurency: 3 } })).toBe('feeds.config.json: polling: unknown field(s) "concurency"');
  });

  it('rejects a bad cron schedule, a bad time zone and a bad duration', () => {
    const message = problems({
      topics: [{ slug: 'k', title: 'K', digest: { timezone: 'Mars/Base' } }],
      polling: { schedule: 'every minute', maxInterval: 'forever' },
    });
    expect(message).toContain('topics[0].digest.timezone: must be an IANA time zone');
    expect(message).toContain('polling.schedule: must be a valid cron expression');
    expect(message).toContain('polling.maxInterval: must be a duration');
  });

  it('reads durations in s, m, h and d', () => {
    expect(parseFeedsConfig({ polling: { minInterval: '90s', maxInterval: '2d' } }, 'x').polling).toMatchObject({ minInterval: 90, maxInterval: 172800 });
  });

  it('accepts "0" for hostSpacing, as the README says it turns spacing off', () => {
    expect(parseFeedsConfig({ polling: { hostSpacing: '0' } }, 'x').polling.hostSpacing).toBe(0);
    expect(parseFeedsConfig({ polling: { hostSpacing: 0 } }, 'x').polling.hostSpacing).toBe(0);
  });

  it('reports a missing file and invalid JSON with the path', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-config-'));
    const missing = path.join(dir, 'none.json');
    expect(() => loadFeedsConfig(missing)).toThrow(`${missing}: file not found`);
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{ "topics": [ }');
    expect(() => loadFeedsConfig(broken)).toThrow(`${broken}: not valid JSON`);
  });

  it('lower-cases topic phrases so matching can be case-insensitive', () => {
    const config = parseFeedsConfig({ topics: [{ slug: 'k', title: 'K', include: ['North Korea'] }] }, 'x');
    expect(config.topics[0]!.include).toEqual(['north korea']);
  });
});
