/**
 * `tidings sources pause|resume|edit|show` against one database, as an operator runs them:
 * the admin API's changes of a source, from the command line. Each test adds its own source;
 * the pause test comes first, as its poll cycle two days on would poll every source added before.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { openDatabase } from '../../src/db/database.ts';
import { findRenderedFeed } from '../../src/store/rendered-feeds.ts';
import { createTestDatabase, createTestDataDir, testDatabaseUrl } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';

let fixtures: FixtureServer;
let dir: string;
let env: NodeJS.ProcessEnv;
const postgres: Array<{ close(): Promise<void> }> = [];

async function run(argv: string[], deps: { now?: () => Date } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) }, env, deps);
  return { code, out, err };
}

/** Serves a feed at `route` and adds it with the CLI; its id. */
async function addSource(route: string, title: string, ...args: string[]): Promise<number> {
  const recent = new Date(Date.now() - 3_600_000).toUTCString();
  fixtures.route(route, {
    body: rssFeed(title, [{ guid: `${route}-1`, title: `${title} story`, link: `https://${title.toLowerCase()}.example/1`, pubDate: recent }]),
  });
  const added = await run(['sources', 'add', fixtures.url(route), ...args]);
  expect(added.err).toBe('');
  return Number(/^Added source #(\d+):/.exec(added.out)?.[1]);
}

/** The korea topic's rendered JSON Feed, read from the database the CLI wrote. */
async function koreaFeed(): Promise<string> {
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL ?? null, dataDir: env.DATA_DIR! });
  try {
    return (await findRenderedFeed(database.db, 'korea', 'feed', 'json'))?.body.toString() ?? '';
  } finally {
    await database.close();
  }
}

beforeAll(async () => {
  fixtures = await startFixtureServer();
  dir = mkdtempSync(path.join(tmpdir(), 'tidings-cli-sources-edit-'));
  const config = path.join(dir, 'feeds.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      topics: [
        { slug: 'korea', title: 'Korea', include: ['north korea'] },
        { slug: 'world', title: 'World', include: [] },
      ],
      sources: [],
      polling: { allowPrivateNetworks: true, timeoutMs: 2000 },
    }),
  );
  env = { LOG_LEVEL: 'silent', FEEDS_CONFIG: config, DATA_DIR: path.join(dir, 'data') };
  if (testDatabaseUrl) {
    const database = await createTestDatabase();
    postgres.push(database);
    env.DATABASE_URL = database.url!;
  } else {
    await createTestDataDir(env.DATA_DIR!);
  }
});
afterAll(async () => {
  await fixtures.close();
  await Promise.all(postgres.map((database) => database.close()));
});

describe('tidings sources pause / resume', () => {
  it('pauses a source so that no poll takes it, and resumes it, due at once', async () => {
    const id = await addSource('/paused.xml', 'Paused');
    const url = fixtures.url('/paused.xml');
    expect(await run(['sources', 'pause', String(id)])).toEqual({
      code: 0,
      out: `Paused source #${id} <${url}>: it is not polled until \`tidings sources resume ${id}\`.\n`,
      err: '',
    });
    // Two days on, every source would be due: the paused one is not polled.
    const hits = fixtures.hits('/paused.xml');
    const later = { now: () => new Date(Date.now() + 2 * 86_400_000) };
    const paused = await run(['poll', '--once', '--json'], later);
    expect(JSON.parse(paused.out || '[]')).not.toContainEqual(expect.objectContaining({ sourceId: id }));
    expect(fixtures.hits('/paused.xml')).toBe(hits);
    expect(JSON.parse((await run(['sources', 'show', String(id), '--json'])).out)).toMatchObject({ source: { state: 'paused', nextPollAt: null } });

    // By URL, like `sources remove`.
    expect(await run(['sources', 'resume', url])).toEqual({ code: 0, out: `Resumed source #${id} <${url}>: it is polled at the next cycle.\n`, err: '' });
    const resumed = await run(['poll', '--once', '--json']);
    expect(JSON.parse(resumed.out)).toContainEqual(expect.objectContaining({ sourceId: id, outcome: expect.any(String) }));
    expect(fixtures.hits('/paused.xml')).toBe(hits + 1);
  });
});

describe('tidings sources edit', () => {
  it('changes the title, topics, poll interval and full text, and the topic feed follows the topics', async () => {
    const id = await addSource('/edited.xml', 'Harbour');
    const url = fixtures.url('/edited.xml');
    expect(await koreaFeed()).not.toContain('Harbour story');

    const edited = await run([
      'sources',
      'edit',
      String(id),
      '--title',
      'Harbour Daily',
      '--topic',
      'korea',
      '--topic',
      'world',
      '--interval',
      '2h',
      '--full-content',
      'off',
    ]);
    expect(edited).toEqual({
      code: 0,
      out: `Changed source #${id} <${url}>: title "Harbour Daily"; topics korea, world; poll interval 2h; full article text off.\n`,
      err: '',
    });
    expect(await koreaFeed()).toContain('Harbour story');

    const json = await run(['sources', 'edit', url, '--topic', '', '--interval', '90m', '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ source: { id, title: 'Harbour Daily', topics: [], pollIntervalSeconds: 5400 } });
    expect(await koreaFeed()).not.toContain('Harbour story');

    expect((await run(['sources', 'edit', String(id), '--interval', 'default', '--title', ''])).out).toBe(
      `Changed source #${id} <${url}>: title from the feed; topics none; poll interval as the feed suggests; full article text off.\n`,
    );
  });

  it('refuses a bad interval, an unknown id or topic and a bad switch with one line, changing nothing', async () => {
    const id = await addSource('/refused.xml', 'Refused');
    const fix = 'give a duration with its unit from 1m to 30d, like --interval 15m or --interval 2h, or --interval default to poll as the feed suggests';
    expect(await run(['sources', 'edit', String(id), '--interval', '15'])).toEqual({
      code: 1,
      out: '',
      err: `tidings: --interval "15" is not a duration; ${fix}\n`,
    });
    expect(await run(['sources', 'edit', String(id), '--interval', '30s'])).toEqual({
      code: 1,
      out: '',
      err: `tidings: --interval "30s" is outside 1m to 30d; ${fix}\n`,
    });
    expect(await run(['sources', 'edit', String(id), '--full-content', 'yes'])).toEqual({
      code: 1,
      out: '',
      err: 'tidings: --full-content "yes" is neither on nor off; give --full-content on or --full-content off\n',
    });
    expect(await run(['sources', 'edit', String(id), '--topic', 'sports'])).toEqual({
      code: 1,
      out: '',
      err: 'tidings: unknown topic "sports" (topics: korea, world)\n',
    });
    expect(await run(['sources', 'edit', '99999', '--title', 'x'])).toEqual({ code: 1, out: '', err: 'tidings: no source #99999\n' });
    expect(await run(['sources', 'pause', 'https://nowhere.example/feed.xml'])).toEqual({
      code: 1,
      out: '',
      err: 'tidings: no source with id or URL https://nowhere.example/feed.xml\n',
    });
    expect(JSON.parse((await run(['sources', 'show', String(id), '--json'])).out)).toMatchObject({
      source: { title: 'Refused', topics: [], pollIntervalSeconds: null, state: 'ok' },
    });

    // Command-line mistakes: exit 2 with the usage.
    const nothing = await run(['sources', 'edit', String(id)]);
    expect(nothing.code).toBe(2);
    expect(nothing.err).toMatch(/^tidings: sources edit needs one of --title, --topic, --interval, --full-content\n\nUsage: /);
    const misplaced = await run(['sources', 'pause', String(id), '--interval', '2h']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.err).toMatch(/^tidings: --interval goes with sources edit, not sources pause\n/);
    expect((await run(['sources', 'show'])).err).toMatch(/^tidings: sources show needs an ID \(a source's id or URL\)\n/);
  });
});

describe('tidings sources show', () => {
  it("prints the source's health, latest items and poll history, the last failure first", async () => {
    const id = await addSource('/flaky.xml', 'Flaky', '--topic', 'korea');
    fixtures.route('/flaky.xml', { status: 500, body: 'down' });
    expect((await run(['poll', '--once', '--source', fixtures.url('/flaky.xml')])).code).toBe(1);

    // Shown an hour later: the times read the same however long the commands took.
    const shown = await run(['sources', 'show', String(id)], { now: () => new Date(Date.now() + 3_600_000) });
    expect(shown.code).toBe(0);
    const [settings, health, items, history] = shown.out.trimEnd().split('\n\n');
    expect(settings).toBe(
      [
        `Source #${id}: Flaky`,
        `  URL            ${fixtures.url('/flaky.xml')}`,
        '  Site           https://flaky.example/',
        '  Origin         added by an admin',
        '  Topics         korea',
        '  Poll interval  as the feed suggests',
      ].join('\n'),
    );
    const facts = health!.split('\n');
    expect(facts[0]).toBe('Health');
    // One fact a line, the values lined up.
    expect(new Set(facts.slice(1).map((line) => /^ {2}\S+(?: \S+)* {2,}/.exec(line)?.[0].length)).size).toBe(1);
    const fact = (label: string) => facts.find((line) => line.startsWith(`  ${label}  `))?.replace(/^ {2}\S+(?: \S+)* {2,}/, '');
    expect(fact('State')).toBe('Failing');
    expect(fact('Last poll')).toBe('1h ago (HTTP 500)');
    expect(fact('Last success')).toBe('1h ago');
    expect(fact('Next poll')).toBe('due now');
    expect(fact('Failures')).toBe('1 in a row');
    expect(fact('Error')).toBe(`http_server_error: HTTP 500 Internal Server Error from ${fixtures.url('/flaky.xml')}`);
    expect(fact('Newest item')).toBe('2h ago');
    expect(fact('Push (WebSub)')).toBe('none (the feed names no hub)');
    expect(fact('Full text')).toBe('off');
    expect(fact('Items')).toBe('1 stored, 1 in the last 7 days');
    expect(items).toMatch(/^Latest items\nPUBLISHED\s+TOPICS\s+TITLE\s+URL\n\d{4}-\d\d-\d\d \d\d:\d\d\s+korea\s+Flaky story\s+https:\/\/flaky\.example\/1$/);
    const events = history!.split('\n');
    expect(events[0]).toBe('Poll history (newest first)');
    expect(events[1]).toMatch(/^WHEN\s+OUTCOME\s+HTTP\s+NEW\s+UPDATED\s+MS\s+ERROR$/);
    expect(events[2]).toMatch(/^1h ago\s+failed\s+500\s+0\s+0\s+\d+\s+http_server_error: /);
    expect(events[3]).toMatch(/^1h ago\s+stored\s+200\s+1\s+0\s+\d+\s+-$/);

    const json = JSON.parse((await run(['sources', 'show', fixtures.url('/flaky.xml'), '--json'])).out);
    expect(json).toMatchObject({
      source: { id, state: 'failing', errorCode: 'http_server_error', consecutiveFailures: 1 },
      items: [{ title: 'Flaky story', topics: ['korea'] }],
      events: [
        { outcome: 'failed', status: 500 },
        { outcome: 'stored', status: 200, newItems: 1 },
      ],
    });
  });
});
