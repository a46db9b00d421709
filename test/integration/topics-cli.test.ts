/**
 * `tidings topics list|add|edit|remove` through main(), as an operator runs them, on one
 * database: the same use-cases as the admin API, applied before the command exits.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { createTestDatabase, createTestDataDir, testDatabaseUrl } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';

let fixtures: FixtureServer;
let env: NodeJS.ProcessEnv;
const postgres: Array<{ close(): Promise<void> }> = [];

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) }, env);
  return { code, out, err };
}

beforeAll(async () => {
  fixtures = await startFixtureServer();
  const recent = new Date(Date.now() - 3_600_000).toUTCString();
  fixtures.route('/wire.xml', {
    body: rssFeed('Wire', [
      { guid: 'w1', title: 'Missile test over the sea', link: 'https://wire.example/1', pubDate: recent },
      { guid: 'w2', title: 'Missile parade planned', link: 'https://wire.example/2', pubDate: recent },
      { guid: 'w3', title: 'Seoul weather', link: 'https://wire.example/3', pubDate: recent },
    ]),
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-topics-cli-'));
  const config = path.join(dir, 'feeds.config.json');
  writeFileSync(
    config,
    JSON.stringify({ topics: [{ slug: 'korea', title: 'Korea', include: ['seoul'] }], polling: { allowPrivateNetworks: true, timeoutMs: 2000 } }),
  );
  env = { LOG_LEVEL: 'silent', FEEDS_CONFIG: config, DATA_DIR: path.join(dir, 'data') };
  if (testDatabaseUrl) {
    const database = await createTestDatabase();
    postgres.push(database);
    env.DATABASE_URL = database.url!;
  } else {
    await createTestDataDir(env.DATA_DIR!);
  }
  expect((await run('sources', 'add', fixtures.url('/wire.xml'))).code).toBe(0);
});
afterAll(async () => {
  await fixtures.close();
  await Promise.all(postgres.map((database) => database.close()));
});

const slugs = async () =>
  (JSON.parse((await run('topics', 'list', '--json')).out) as Array<{ slug: string; origin: string }>).map((t) => `${t.slug}:${t.origin}`);

describe('tidings topics', () => {
  it('lists the config file’s topics in a table', async () => {
    const listed = await run('topics', 'list');
    expect(listed.code).toBe(0);
    const [header, korea] = listed.out.trim().split('\n');
    expect(header).toMatch(/^SLUG\s+TITLE\s+ORIGIN\s+INCLUDE\s+EXCLUDE\s+DIGEST$/);
    expect(korea).toMatch(/^korea\s+Korea\s+config\s+seoul\s+-\s+daily 07:00 UTC$/);
  });

  it('adds a topic with its rules, saying how many stored items entered it', async () => {
    const added = await run('topics', 'add', 'missiles', '--title', 'Missiles', '--include', 'title:missile', '--include', 'rocket', '--exclude', 'parade');
    expect(added).toMatchObject({ code: 0, err: '' });
    expect(added.out).toBe('Created topic missiles (Missiles): 1 stored items entered it, 0 left (of the last 90 days).\n');
    expect(await slugs()).toEqual(['korea:config', 'missiles:admin']);
    const json = JSON.parse((await run('topics', 'list', '--json')).out) as Array<{ slug: string; include: string[]; exclude: string[] }>;
    expect(json.find((t) => t.slug === 'missiles')).toMatchObject({ include: ['title:missile', 'rocket'], exclude: ['parade'] });
  });

  it('edits a topic’s rules (--json: the same answer as the API)', async () => {
    await run('topics', 'add', 'arms', '--title', 'Arms', '--include', 'title:missile');
    const edited = await run('topics', 'edit', 'arms', '--exclude', 'title:parade', '--description', 'Weapons', '--json');
    expect(edited.code).toBe(0);
    expect(JSON.parse(edited.out)).toMatchObject({ topic: { slug: 'arms', description: 'Weapons', exclude: ['title:parade'] }, items: { enter: 0, leave: 1 } });
  });

  it('notes that the file wins for a config topic', async () => {
    const edited = await run('topics', 'edit', 'korea', '--title', 'Korean Peninsula');
    expect(edited.out).toMatch(/^Changed topic korea \(Korean Peninsula\): 0 stored items entered it, 0 left/);
    expect(edited.out).toContain("Note: this topic comes from feeds.config.json: the file's version returns at the next start");
  });

  it('removes a topic', async () => {
    await run('topics', 'add', 'doomed', '--title', 'Doomed', '--include', 'missile');
    const removed = await run('topics', 'remove', 'doomed');
    expect(removed.out).toBe('Removed topic doomed (Doomed): 0 stored items entered it, 2 left (of the last 90 days).\n');
    expect(await slugs()).not.toContain('doomed:admin');
  });

  it('refuses what the API refuses, with one line each', async () => {
    expect(await run('topics', 'add', 'Bad Slug', '--title', 'X')).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^tidings: slug "Bad Slug": must be lower-case/),
    });
    expect(await run('topics', 'add', 'korea', '--title', 'X')).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^tidings: there is already a topic "korea"/),
    });
    expect(await run('topics', 'remove', 'nowhere')).toMatchObject({ code: 1, err: expect.stringMatching(/^tidings: no topic "nowhere"/) });
    expect(await run('topics', 'add', 'x', '--title', 'X', '--include', 'author:')).toMatchObject({
      code: 1,
      err: expect.stringMatching(/author: has no phrase/),
    });
  });

  it('needs a slug, a title to add and something to edit (usage, exit 2)', async () => {
    expect((await run('topics', 'add', 'untitled')).err).toMatch(/^tidings: topics add needs --title TEXT/);
    expect((await run('topics', 'remove')).code).toBe(2);
    expect((await run('topics', 'edit', 'korea')).err).toMatch(/^tidings: topics edit needs something to change/);
  });
});
