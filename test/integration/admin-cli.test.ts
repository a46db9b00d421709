/**
 * The admin commands of the `tidings` CLI, against one database, as an operator runs them.
 * beforeAll adds the one source the tests share; each test adds and removes its own others,
 * so they pass in any order.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { createTestDataDir, testDatabaseUrl } from '../helpers/database.ts';

let fixtures: FixtureServer;
let dir: string;
let env: NodeJS.ProcessEnv;

async function run(argv: string[], environment: NodeJS.ProcessEnv = env): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) }, environment);
  return { code, out, err };
}

const writeConfig = (name: string, allowPrivateNetworks: boolean) => {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({ topics: [{ slug: 'korea', title: 'Korea', include: ['north korea'] }], sources: [], polling: { allowPrivateNetworks, timeoutMs: 2000 } }),
  );
  return file;
};

beforeAll(async () => {
  fixtures = await startFixtureServer();
  const recent = new Date(Date.now() - 3_600_000).toUTCString();
  fixtures.route('/good.xml', {
    body: rssFeed('Good News', [
      { guid: 'g1', title: 'North Korea news', link: 'https://good.example/1', pubDate: recent },
      { guid: 'g2', title: 'Other', link: 'https://good.example/2', pubDate: recent },
    ]),
  });
  fixtures.route('/other.xml', { body: rssFeed('Other', [{ guid: 'o1', title: 'Something', link: 'https://other.example/1', pubDate: recent }]) });
  fixtures.route('/doomed.xml', { body: rssFeed('Doomed', [{ guid: 'd1', title: 'Soon gone', link: 'https://doomed.example/1', pubDate: recent }]) });
  fixtures.route('/doomed-too.xml', { body: rssFeed('Doomed too', []) });
  fixtures.route('/long.xml', { body: rssFeed('Long', []) });
  fixtures.route('/site/', {
    body: '<html><head><link rel="alternate" type="application/atom+xml" href="/good.xml"></head><body></body></html>',
    contentType: 'text/html',
  });
  dir = mkdtempSync(path.join(tmpdir(), 'tidings-admin-cli-'));
  env = {
    LOG_LEVEL: 'silent',
    FEEDS_CONFIG: writeConfig('feeds.config.json', true),
    DATA_DIR: path.join(dir, 'data'),
    ...(testDatabaseUrl ? { DATABASE_URL: await freshPostgres() } : {}),
  };
  // The embedded database from the run's migrated template: no initdb (seconds) in the first command.
  if (!testDatabaseUrl) await createTestDataDir(env.DATA_DIR!);
  added = await run(['sources', 'add', fixtures.url('/good.xml'), '--topic', 'korea']);
  goodId = Number(/^Added source #(\d+):/.exec(added.out)?.[1]);
});
afterAll(async () => {
  await fixtures.close();
  await Promise.all(postgres.map((database) => database.close()));
});

// The CLI under test opens its own connections to this database; it is dropped after the file.
const postgres: Array<{ close(): Promise<void> }> = [];

async function freshPostgres(): Promise<string> {
  const { createTestDatabase } = await import('../helpers/database.ts');
  const database = await createTestDatabase();
  postgres.push(database);
  return database.url!;
}

let added: Awaited<ReturnType<typeof run>>;
let goodId: number;

describe('tidings sources / opml', () => {
  it('adds a feed with --topic, storing its items, and prints what it found', async () => {
    const result = added;
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const [first, second] = result.out.split('\n');
    goodId = Number(/^Added source #(\d+): Good News <http:\/\/127\.0\.0\.1:\d+\/good\.xml>$/.exec(first!)?.[1]);
    expect(goodId).toBeGreaterThan(0);
    expect(second).toBe('rss2.0, 2 items, 2 stored; topics: korea');
    expect(result.out).toMatch(/PUBLISHED\s+TOPICS\s+TITLE/);
    expect(result.out).toMatch(/korea\s+North Korea news/);

    const list = await run(['sources', 'list', '--json']);
    expect(JSON.parse(list.out)).toContainEqual(expect.objectContaining({ id: goodId, origin: 'admin', topics: ['korea'], items_total: 2, error_code: null }));
  });

  it('lists each source with its title and topics, cutting a long title', async () => {
    const title = 'The Extraordinarily Long-Winded Chronicle of Everything Korean';
    const long = await run(['sources', 'add', fixtures.url('/long.xml'), '--title', title, '--topic', 'korea']);
    const longId = Number(/^Added source #(\d+):/.exec(long.out)?.[1]);
    try {
      const lines = (await run(['sources', 'list'])).out.trim().split('\n');
      expect(lines[0]).toMatch(/^ID\s+TITLE\s+URL\s+TOPICS\s+STATE\s+LAST POLL\s+LAST OK\s+NEXT\s+FAILS\s+ITEMS\s+7D\s+FULL TEXT\s+ERROR$/);
      const row = (id: number) => lines.find((line) => line.startsWith(`${id} `));
      expect(row(goodId)).toMatch(/^\d+\s+Good News\s+http:\/\/127\.0\.0\.1:\d+\/good\.xml\s+korea\s+ok\s/);
      expect(row(longId)).toMatch(/^\d+\s+The Extraordinarily Long-Winded…\s+http:\/\/127\.0\.0\.1:\d+\/long\.xml\s+korea\s+ok\s/);
      // Columns line up: each row's URL starts where the header's URL does.
      expect(row(longId)!.indexOf('http')).toBe(lines[0]!.indexOf('URL'));
      expect(row(goodId)!.indexOf('http')).toBe(lines[0]!.indexOf('URL'));
      // Listed two days later, every next-poll time has passed: the sources are due, not "2d ago".
      let later = '';
      await main(['sources', 'list'], { out: (t) => (later += `${t}\n`), err: () => {} }, env, { now: () => new Date(Date.now() + 2 * 86_400_000) });
      expect(later.split('\n').find((line) => line.startsWith(`${longId} `))).toMatch(/\s2d ago\s+2d ago\s+due now\s/);
      const json = JSON.parse((await run(['sources', 'list', '--json'])).out) as Array<{ id: number; title: string; topics: string[] }>;
      expect(json.find((s) => s.id === longId)).toMatchObject({ title, topics: ['korea'] });
    } finally {
      await run(['sources', 'remove', String(longId)]);
    }
  });

  it('refuses a duplicate, an unknown topic and a missing URL, with one line each', async () => {
    expect(await run(['sources', 'add', fixtures.url('/good.xml')])).toMatchObject({
      code: 1,
      err: `tidings: ${fixtures.url('/good.xml')} is already source #${goodId}\n`,
    });
    expect(await run(['sources', 'add', fixtures.url('/other.xml'), '--topic', 'sports'])).toMatchObject({
      code: 1,
      err: 'tidings: unknown topic "sports" (topics: korea)\n',
    });
    const usage = await run(['sources', 'add']);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/^tidings: sources add needs a URL/);
  });

  it('refuses what the API and the admin page refuse, with the same messages, before fetching anything', async () => {
    const before = fixtures.hits('/other.xml');
    expect(await run(['sources', 'add', fixtures.url('/other.xml'), '--title', 't'.repeat(10_000)])).toMatchObject({
      code: 1,
      err: 'tidings: the title is longer than 300 characters (10000); shorten it\n',
    });
    expect(await run(['sources', 'add', fixtures.url('/other.xml'), '--title', 'Bell\u0007'])).toMatchObject({
      code: 1,
      err: expect.stringContaining('tidings: the title contains a control character (U+0007)'),
    });
    expect(fixtures.hits('/other.xml')).toBe(before);
    expect(await run(['sources', 'remove', '9'.repeat(20)])).toMatchObject({
      code: 1,
      err: 'tidings: a source id is a positive whole number, not 100000000000000000000\n',
    });
  });

  it('lists the feeds a web page offers instead of adding it', async () => {
    const result = await run(['sources', 'add', fixtures.url('/site/')]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^FEED\s+TITLE\s+ITEMS\n.*\/good\.xml\s+Good News\s+2$/m);
    expect(result.err).toBe(`tidings: ${fixtures.url('/site/')} is a web page, not a feed; add one of the feeds it offers (listed above)\n`);
  });

  it('refuses a private address when the config does not allow them', async () => {
    const strict = { ...env, FEEDS_CONFIG: writeConfig('strict.json', false) };
    const before = fixtures.hits('/other.xml');
    const result = await run(['sources', 'add', fixtures.url('/other.xml')], strict);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /^tidings: cannot fetch http:\/\/127\.0\.0\.1:\d+\/other\.xml: http:\/\/127\.0\.0\.1:\d+ is a loopback address; set polling\.allowPrivateNetworks to allow it\n$/,
    );
    expect(fixtures.hits('/other.xml')).toBe(before);
  });

  it('exports OPML and imports a list, reporting added, existing and invalid', async () => {
    const exported = await run(['opml', 'export']);
    expect(exported.code).toBe(0);
    expect(exported.out).toContain(`xmlUrl="${fixtures.url('/good.xml')}"`);
    expect(exported.out).toContain('category="korea"');

    const file = path.join(dir, 'import.opml');
    writeFileSync(
      file,
      `<opml version="2.0"><body><outline text="Korea"><outline type="rss" text="Other" xmlUrl="${fixtures.url('/other.xml')}"/><outline type="rss" text="Good" xmlUrl="${fixtures.url('/good.xml')}"/></outline><outline type="rss" text="Bad" xmlUrl="gopher://x"/></body></opml>`,
    );
    const imported = await run(['opml', 'import', file]);
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/^Added 1, already present 1, invalid 1\.\n/);
    expect(imported.out).toMatch(/^ID\s+URL\s+TOPICS\n\d+\s+http:\/\/127\.0\.0\.1:\d+\/other\.xml\s+korea$/m);
    expect(imported.out).toMatch(/gopher:\/\/x\s+only http and https URLs can be polled/);

    expect(await run(['opml', 'import', path.join(dir, 'missing.opml')])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^tidings: cannot read .*missing\.opml: ENOENT\n$/),
    });
    writeFileSync(path.join(dir, 'feed.xml'), rssFeed('x', []));
    expect(await run(['opml', 'import', path.join(dir, 'feed.xml')])).toMatchObject({
      code: 1,
      err: 'tidings: not an OPML document: the root element is <rss>, not <opml>\n',
    });
  });

  it('removes a source by id or URL, with its items', async () => {
    const doomed = await run(['sources', 'add', fixtures.url('/doomed.xml')]);
    const doomedId = Number(/^Added source #(\d+):/.exec(doomed.out)?.[1]);
    await run(['sources', 'add', fixtures.url('/doomed-too.xml')]);
    const removed = await run(['sources', 'remove', String(doomedId)]);
    expect(removed).toMatchObject({ code: 0, out: `Removed source #${doomedId} <${fixtures.url('/doomed.xml')}> and its 1 items.\n` });
    const byUrl = await run(['sources', 'remove', fixtures.url('/doomed-too.xml'), '--json']);
    expect(JSON.parse(byUrl.out)).toMatchObject({ source: { url: fixtures.url('/doomed-too.xml') }, deletedItems: 0 });
    expect((await run(['sources', 'list'])).out).not.toMatch(/doomed/);
    expect(await run(['sources', 'remove', String(doomedId)])).toMatchObject({ code: 1, err: `tidings: no source #${doomedId}\n` });
  });

  it('says how to add sources when there are none', async () => {
    // A fresh migrated database: a new Postgres one, or an embedded one from the run's template.
    const empty = { ...env, DATA_DIR: path.join(dir, 'empty-data'), ...(testDatabaseUrl ? { DATABASE_URL: await freshPostgres() } : {}) };
    if (!testDatabaseUrl) await createTestDataDir(empty.DATA_DIR);
    expect((await run(['sources', 'list'], empty)).out).toMatch(/^No sources\. Add some to feeds\.config\.json .*`tidings sources add URL`\.\n$/);
  });
});
