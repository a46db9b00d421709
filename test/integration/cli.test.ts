import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { testDatabaseUrl } from '../helpers/database.ts';

let fixtures: FixtureServer;
let dir: string;
let env: NodeJS.ProcessEnv;

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) }, env);
  return { code, out, err };
}

beforeAll(async () => {
  fixtures = await startFixtureServer();
  fixtures.route('/good.xml', { body: rssFeed('Good', [{ guid: 'g1', title: 'North Korea news', link: 'https://good.example/1' }, { guid: 'g2', title: 'Other', link: 'https://good.example/2' }]) });
  fixtures.route('/bad.xml', { body: 'nope', status: 500, contentType: 'text/plain' });
  dir = mkdtempSync(path.join(tmpdir(), 'tidings-cli-'));
  writeFileSync(
    path.join(dir, 'feeds.config.json'),
    JSON.stringify({
      topics: [{ slug: 'korea', title: 'Korea', include: ['north korea'] }],
      sources: [{ url: fixtures.url('/good.xml') }, { url: fixtures.url('/bad.xml') }],
      polling: { allowPrivateNetworks: true, timeoutMs: 2000 },
    }),
  );
  // Postgres when available (each run migrates the same fresh schema), else an embedded database in a temp dir.
  env = { LOG_LEVEL: 'silent', FEEDS_CONFIG: path.join(dir, 'feeds.config.json'), DATA_DIR: path.join(dir, 'data'), ...(testDatabaseUrl ? { DATABASE_URL: await freshPostgres() } : {}) };
});
afterAll(async () => {
  await fixtures.close();
  await postgres?.close();
});

// The CLI under test opens its own connections to this database; it is dropped after the file.
let postgres: { close(): Promise<void> } | null = null;

async function freshPostgres(): Promise<string> {
  const { createTestDatabase } = await import('../helpers/database.ts');
  const database = await createTestDatabase();
  postgres = database;
  await database.db.deleteFrom('sources').execute();
  return database.url!;
}

describe('tidings CLI', () => {
  it('polls once and prints a table per source, exiting 1 when a source failed', async () => {
    const result = await run('poll', '--once');
    expect(result.code).toBe(1);
    const lines = result.out.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+URL\s+STATUS\s+NEW\s+UPDATED\s+MS\s+ERROR$/);
    expect(lines.find((l) => l.includes('/good.xml'))).toMatch(/200\s+2\s+0/);
    expect(lines.find((l) => l.includes('/bad.xml'))).toContain('http_server_error');
  });

  it('lists sources with their health, failing first', async () => {
    const result = await run('sources', 'list');
    expect(result.code).toBe(0);
    const lines = result.out.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+URL\s+STATE\s+LAST POLL/);
    expect(lines[1]).toMatch(/bad\.xml\s+failing/);
    expect(lines[2]).toMatch(/good\.xml\s+ok/);
  });

  it('prints JSON with --json', async () => {
    const result = await run('sources', 'list', '--json');
    const sources = JSON.parse(result.out) as Array<{ url: string; items_total: number; error_code: string | null }>;
    expect(sources.map((s) => [s.url.split('/').pop(), s.items_total, s.error_code])).toEqual([
      ['bad.xml', 0, 'http_server_error'],
      ['good.xml', 2, null],
    ]);
  });

  it('polls one source by URL', async () => {
    const result = await run('poll', '--once', '--source', fixtures.url('/good.xml'), '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject([{ url: fixtures.url('/good.xml'), outcome: 'not_modified', status: 304 }]);
  });

  it('exits non-zero with one line for an unknown source, a bad config and a bad command', async () => {
    expect(await run('poll', '--once', '--source', 'https://unknown.example/feed')).toMatchObject({ code: 1, err: expect.stringMatching(/^tidings: no enabled source with URL https:\/\/unknown\.example\/feed/) });
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ sources: [{ url: 'ftp://x' }] }));
    const bad = await main(['sources', 'list'], { out: () => {}, err: (t) => expect(t).toMatch(/bad\.json: sources\[0\]\.url: must be an http\(s\) URL$/) }, { ...env, FEEDS_CONFIG: path.join(dir, 'bad.json') });
    expect(bad).toBe(1);
    expect((await run('frobnicate')).code).toBe(2);
  });

  it('builds and prints a digest, and refuses to rebuild it without --force', async () => {
    const first = await run('digest', 'build', '--topic', 'korea', '--date', '2026-11-24');
    expect(first.code).toBe(0);
    expect(first.out).toContain('korea digest for 2026-11-24 (2026-11-23T07:00:00.000Z – 2026-11-24T07:00:00.000Z): published');
    expect(first.out).toContain('Korea — daily digest, Tuesday 24 November 2026');
    expect(first.out).toContain('1. North Korea news');
    expect((await run('digest', 'build', '--topic', 'korea', '--date', '2026-11-24')).out).toContain('already published (use --force to rebuild)');
    expect((await run('digest', 'build', '--topic', 'korea', '--date', '2026-11-24', '--force')).out).toContain(': published');
    expect(await run('digest', 'build', '--topic', 'nope')).toMatchObject({ code: 1, err: expect.stringContaining('unknown topic "nope"') });
  });

  it('runs as the `tidings` bin', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/tidings.mjs', '--help']);
    expect(stdout).toContain('Usage: tidings <command>');
  });
});
