/**
 * The `tidings` CLI against one database, as an operator runs it. The state every test
 * reads is made in beforeAll (a config sync and a first poll); each test only adds what it
 * is about, so the tests pass in any order.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { openDatabase } from '../../src/db/database.ts';
import { findRenderedFeed } from '../../src/store/rendered-feeds.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { createTestDataDir, testDatabaseUrl } from '../helpers/database.ts';

let fixtures: FixtureServer;
let dir: string;
let env: NodeJS.ProcessEnv;
let synced: Awaited<ReturnType<typeof run>>;
let firstPoll: Awaited<ReturnType<typeof run>>;

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return runWith(env, ...argv);
}

async function runWith(environment: NodeJS.ProcessEnv, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) }, environment);
  return { code, out, err };
}

function writeConfig(name: string, sources: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      topics: [{ slug: 'korea', title: 'Korea', include: ['north korea'] }],
      sources: sources.map((url) => ({ url })),
      polling: { allowPrivateNetworks: true, timeoutMs: 2000 },
    }),
  );
  return file;
}

/** Sources as the CLI lists them: [file name of the URL, enabled, items]. */
async function sourceRows(): Promise<Array<[string, boolean, number]>> {
  const sources = JSON.parse((await run('sources', 'list', '--json')).out) as Array<{ url: string; enabled: boolean; items_total: number }>;
  return sources.map((s) => [s.url.split('/').pop()!, s.enabled, s.items_total]);
}

beforeAll(async () => {
  fixtures = await startFixtureServer();
  fixtures.route('/good.xml', {
    body: rssFeed('Good', [
      { guid: 'g1', title: 'North Korea news', link: 'https://good.example/1' },
      { guid: 'g2', title: 'Other', link: 'https://good.example/2' },
    ]),
  });
  fixtures.route('/bad.xml', { body: 'nope', status: 500, contentType: 'text/plain' });
  fixtures.route('/elsewhere.xml', { body: rssFeed('Elsewhere', []) });
  dir = mkdtempSync(path.join(tmpdir(), 'tidings-cli-'));
  // Postgres when available (each run migrates the same fresh schema), else an embedded database in a temp dir.
  env = {
    LOG_LEVEL: 'silent',
    FEEDS_CONFIG: writeConfig('feeds.config.json', [fixtures.url('/good.xml'), fixtures.url('/bad.xml')]),
    DATA_DIR: path.join(dir, 'data'),
    ...(testDatabaseUrl ? { DATABASE_URL: await freshPostgres() } : {}),
  };
  // The embedded database from the run's migrated template: no initdb (seconds) in the first command.
  if (!testDatabaseUrl) await createTestDataDir(env.DATA_DIR!);
  synced = await run('config', 'sync');
  firstPoll = await run('poll', '--once');
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
  it("syncs the config file's sources only when asked to", () => {
    expect(synced).toMatchObject({ code: 0, out: expect.stringMatching(/^Synced .*feeds\.config\.json: 2 config sources, 2 enabled\.\n$/) });
  });

  it('polls once and prints a table per source, exiting 1 when a source failed', () => {
    expect(firstPoll.code).toBe(1);
    const lines = firstPoll.out.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+URL\s+STATUS\s+NEW\s+UPDATED\s+MS\s+ERROR$/);
    expect(lines.find((l) => l.includes('/good.xml'))).toMatch(/200\s+2\s+0/);
    expect(lines.find((l) => l.includes('/bad.xml'))).toContain('http_server_error');
  });

  it('re-renders the topic feeds a poll changed, as the scheduler does', async () => {
    const database = await openDatabase({ databaseUrl: env.DATABASE_URL ?? null, dataDir: env.DATA_DIR! });
    try {
      const feed = await findRenderedFeed(database.db, 'korea', 'feed', 'json');
      expect(feed?.body).toContain('North Korea news');
    } finally {
      await database.close();
    }
  });

  it('lists sources with their health, failing first', async () => {
    const result = await run('sources', 'list');
    expect(result.code).toBe(0);
    const lines = result.out.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TITLE\s+URL\s+TOPICS\s+STATE\s+LAST POLL/);
    // Config sources without topics; the title is the feed's own, once it has been read.
    expect(lines[1]).toMatch(/^\d+\s+-\s+\S+bad\.xml\s+-\s+failing/);
    expect(lines[2]).toMatch(/^\d+\s+Good\s+\S+good\.xml\s+-\s+ok/);
  });

  it('prints JSON with --json', async () => {
    const result = await run('sources', 'list', '--json');
    const sources = JSON.parse(result.out) as Array<{ url: string; items_total: number; error_code: string | null }>;
    expect(sources.map((s) => [s.url.split('/').pop(), s.items_total, s.error_code])).toEqual([
      ['bad.xml', 0, 'http_server_error'],
      ['good.xml', 2, null],
    ]);
  });

  it('leaves the sources alone when run with another config file, or none', async () => {
    const before = await sourceRows();
    const other = { ...env, FEEDS_CONFIG: writeConfig('other.json', [fixtures.url('/elsewhere.xml')]) };
    expect((await runWith(other, 'sources', 'list')).code).toBe(0);
    expect((await runWith(other, 'poll', '--once', '--source', fixtures.url('/elsewhere.xml'))).code).toBe(1);
    expect((await runWith(other, 'opml', 'export')).out).not.toContain('elsewhere.xml');
    expect(await sourceRows()).toEqual(before);
  });

  it('polls one source by URL', async () => {
    const result = await run('poll', '--once', '--source', fixtures.url('/good.xml'), '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject([{ url: fixtures.url('/good.xml'), outcome: 'not_modified', status: 304 }]);
  });

  it('exits non-zero with one line for an unknown source, a bad config and a bad command', async () => {
    expect(await run('poll', '--once', '--source', 'https://unknown.example/feed')).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^tidings: no enabled source with URL https:\/\/unknown\.example\/feed/),
    });
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ sources: [{ url: 'ftp://x' }] }));
    const bad = await main(
      ['sources', 'list'],
      { out: () => {}, err: (t) => expect(t).toMatch(/bad\.json: sources\[0\]\.url: "ftp:\/\/x" must be an http\(s\) URL\n/) },
      { ...env, FEEDS_CONFIG: path.join(dir, 'bad.json') },
    );
    expect(bad).toBe(1);
    expect((await run('frobnicate')).code).toBe(2);
  });

  it('builds and prints a digest, and refuses to rebuild it without --force', async () => {
    const first = await run('digest', 'build', '--topic', 'korea', '--date', '2026-11-24');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/korea digest for 2026-11-24 \(2026-11-23T07:00:00\.000Z – 2026-11-24T07:00:00\.000Z\): (published|already published)/);
    expect((await run('digest', 'build', '--topic', 'korea', '--date', '2026-11-24')).out).toContain('already published (use --force to rebuild)');
    const forced = await run('digest', 'build', '--topic', 'korea', '--date', '2026-11-24', '--force');
    expect(forced.out).toContain(': published');
    expect(forced.out).toContain('Korea daily digest: Monday 23 November, 07:00 – Tuesday 24 November, 07:00 UTC');
    expect(forced.out).toContain('1. North Korea news');
    expect(await run('digest', 'build', '--topic', 'nope')).toMatchObject({ code: 1, err: expect.stringContaining('unknown topic "nope"') });
  });

  it('runs as the `tidings` bin', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/tidings.mjs', '--help']);
    expect(stdout).toContain('Usage: tidings <command>');
  });
});
