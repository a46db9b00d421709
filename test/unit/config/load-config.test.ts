import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFeedsConfig, parseFeedsConfig } from '../../../src/config/load-config.ts';
import { ConfigError } from '../../../src/errors.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tidings-config-'));

function rejection(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

function problems(value: unknown): string {
  return rejection(() => parseFeedsConfig(value, 'feeds.config.json'));
}

/** The problem lines, without the closing hint. */
function problemLines(value: unknown): string[] {
  return problems(value).split('\n').slice(0, -1);
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

  it('names the file, the field path and the problem, and shows the bad value', () => {
    const sources = [{ url: 'https://a.example/1' }, { url: 'https://a.example/2' }, { url: 'https://a.example/3' }, { url: 'htp://bad' }];
    expect(problemLines({ sources })).toEqual(['feeds.config.json: sources[3].url: "htp://bad" must be an http(s) URL']);
  });

  it('names a source by its URL in a problem with another field', () => {
    const sources = [{ url: 'https://a.example/1' }, { url: 'https://b.example/feed', priority: 'high' }];
    expect(problemLines({ sources })).toEqual(['feeds.config.json: sources[1].priority (https://b.example/feed): "high" must be a number']);
  });

  it('names a source without a URL by its position counted from 1', () => {
    expect(problemLines({ sources: [{ url: 'https://a.example/' }, { title: 'No URL' }] })).toEqual([
      'feeds.config.json: sources[1].url (the 2nd source): is required',
    ]);
  });

  it('cuts a long value for display', () => {
    const url = `ftp://a.example/${'x'.repeat(200)}`;
    const [line] = problemLines({ sources: [{ url }] });
    expect(line).toBe(`feeds.config.json: sources[0].url: "${url.slice(0, 59)}…" must be an http(s) URL`);
  });

  it('rejects a source that names an unknown topic, suggesting a close slug', () => {
    expect(problemLines({ topics: [{ slug: 'korea', title: 'K' }], sources: [{ url: 'https://a.example/', topics: ['koera', 'sports'] }] })).toEqual([
      'feeds.config.json: sources[0].topics[0] (https://a.example/): "koera" is not the slug of a topic in topics[]; did you mean "korea"?',
      'feeds.config.json: sources[0].topics[1] (https://a.example/): "sports" is not the slug of a topic in topics[] (slugs: korea)',
    ]);
  });

  it('rejects duplicate source URLs, naming the first', () => {
    expect(problemLines({ sources: [{ url: 'https://a.example/' }, { url: 'https://a.example/' }] })).toEqual([
      'feeds.config.json: sources[1].url: "https://a.example/" is already the URL of sources[0]',
    ]);
  });

  it('suggests the field meant by an unknown one at the top level', () => {
    expect(problemLines({ sorces: [] })).toEqual(['feeds.config.json: unknown field "sorces"; did you mean "sources"?']);
  });

  it('suggests the field meant by an unknown one in a source', () => {
    const sources = Array.from({ length: 10 }, (_, i) => ({ url: `https://a.example/${i}` }));
    sources[9] = { url: 'https://example.com/feed', topic: ['korea'] } as (typeof sources)[number];
    expect(problemLines({ sources })).toEqual(['feeds.config.json: sources[9] (https://example.com/feed): unknown field "topic"; did you mean "topics"?']);
  });

  it("suggests fields in polling, dedupe and a topic's digest, ignoring case", () => {
    expect(problemLines({ polling: { concurency: 3 }, dedupe: { windowdays: 3 }, topics: [{ slug: 'k', title: 'K', digest: { max_stories: 5 } }] })).toEqual([
      'feeds.config.json: topics[0].digest (topic "k"): unknown field "max_stories"; did you mean "maxStories"?',
      'feeds.config.json: polling: unknown field "concurency"; did you mean "concurrency"?',
      'feeds.config.json: dedupe: unknown field "windowdays"; did you mean "windowDays"?',
    ]);
  });

  it('lists the known fields when no field is close to an unknown one', () => {
    expect(problemLines({ sources: [{ url: 'https://a.example/', name: 'A' }] })).toEqual([
      'feeds.config.json: sources[0] (https://a.example/): unknown field "name"; the fields here are url, title, topics, priority, nearDuplicates, timezone, auth, fullContent',
    ]);
  });

  it('says where a field of another object belongs', () => {
    expect(problemLines({ concurrency: 4 })).toEqual(['feeds.config.json: unknown field "concurrency"; it belongs in polling']);
    expect(problemLines({ polling: { sources: [] } })).toEqual(['feeds.config.json: polling: unknown field "sources"; it belongs in the top level']);
  });

  it('reports every problem at once, one per line, then how to go on', () => {
    const message = problems({
      sources: [{ url: 'https://a.example/', priority: 5000 }],
      polling: { concurrency: 0, perhost: 1 },
      digest: {},
    });
    expect(message.split('\n')).toEqual([
      'feeds.config.json: sources[0].priority (https://a.example/): 5000 must be at most 1000',
      'feeds.config.json: polling.concurrency: 0 must be at least 1',
      'feeds.config.json: polling: unknown field "perhost"; did you mean "perHost"?',
      'feeds.config.json: unknown field "digest"; it belongs in topics[]',
      '(4 problems: fix the file and run again; README § Configuration describes every field)',
    ]);
  });

  it('suggests the value meant for a field with a fixed set of values', () => {
    expect(problemLines({ topics: [{ slug: 'k', title: 'K', digest: { period: 'wekly' } }] })).toEqual([
      'feeds.config.json: topics[0].digest.period (topic "k"): "wekly" must be one of "daily", "weekly"; did you mean "weekly"?',
    ]);
  });

  it('rejects a bad cron schedule, a bad time zone and a bad duration', () => {
    const message = problems({
      topics: [{ slug: 'k', title: 'K', digest: { timezone: 'Mars/Base' } }],
      polling: { schedule: 'every minute', maxInterval: 'forever' },
    });
    expect(message).toContain('topics[0].digest.timezone (topic "k"): "Mars/Base" must be an IANA time zone');
    expect(message).toContain('polling.schedule: "every minute" must be a valid cron expression');
    expect(message).toContain('polling.maxInterval: "forever" must be a duration');
  });

  it("accepts a source's IANA time zone and rejects a name that is none", () => {
    expect(parseFeedsConfig({ sources: [{ url: 'https://a.example/feed', timezone: 'Asia/Seoul' }] }, 'x').sources[0]?.timezone).toBe('Asia/Seoul');
    expect(problemLines({ sources: [{ url: 'https://a.example/feed', timezone: 'KST' }] })).toEqual([
      'feeds.config.json: sources[0].timezone (https://a.example/feed): "KST" must be an IANA time zone like "Asia/Seoul"',
    ]);
  });

  it('reads durations in s, m, h and d', () => {
    expect(parseFeedsConfig({ polling: { minInterval: '90s', maxInterval: '2d' } }, 'x').polling).toMatchObject({ minInterval: 90, maxInterval: 172800 });
  });

  it('accepts "0" for hostSpacing, as the README says it turns spacing off', () => {
    expect(parseFeedsConfig({ polling: { hostSpacing: '0' } }, 'x').polling.hostSpacing).toBe(0);
    expect(parseFeedsConfig({ polling: { hostSpacing: 0 } }, 'x').polling.hostSpacing).toBe(0);
  });

  it('reports a missing file with the path and how to point at the right one', () => {
    const missing = path.join(dir, 'none.json');
    expect(() => loadFeedsConfig(missing)).toThrow(`${missing}: file not found (set FEEDS_CONFIG to the path of your feeds.config.json)`);
  });

  it('reports a JSON syntax error with its line and column and shows the line', () => {
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "polling": {\n    "concurrency": 4\n    "perHost": 2\n  }\n}\n');
    expect(rejection(() => loadFeedsConfig(broken)).split('\n')).toEqual([
      `${broken}:4:5: not valid JSON: expected ',' or '}' here (is a comma missing?)`,
      '  4 |     "perHost": 2',
      '    |     ^',
    ]);
  });

  it('reads a file that starts with a byte-order mark', () => {
    const marked = path.join(dir, 'bom.json');
    writeFileSync(marked, '\uFEFF{"retention": {"days": 7}}');
    expect(loadFeedsConfig(marked).retention.days).toBe(7);
  });

  it('lower-cases topic phrases so matching can be case-insensitive', () => {
    const config = parseFeedsConfig({ topics: [{ slug: 'k', title: 'K', include: ['North Korea'] }] }, 'x');
    expect(config.topics[0]!.include).toEqual(['north korea']);
  });
});
