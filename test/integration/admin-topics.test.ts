/**
 * Topics through the admin API, on a service built by serve(): created, changed and deleted
 * without a restart, the stored items re-classified into (and out of) the topic's feed, and
 * a second app context on the same database (another instance, the CLI) seeing the change.
 * Each test makes its own topics under its own slugs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminActions } from '../../jobs/index.ts';
import { createAdminApi } from '../../src/admin/api.ts';
import { adminContext } from '../../src/admin/context.ts';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig, testContext, type TestContext } from '../helpers/context.ts';

const TOKEN = 'topics-admin-token-0123456789abcdef';

let feeds: FixtureServer;
let database: TestDatabase;
let service: Service;

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toUTCString();

beforeAll(async () => {
  feeds = await startFixtureServer();
  feeds.route('/wire.xml', {
    body: rssFeed('Yonhap Wire', [
      { guid: 'w1', title: 'Missile test over the sea', link: 'https://wire.example/missile', pubDate: hoursAgo(5) },
      { guid: 'w2', title: 'Markets close higher', link: 'https://wire.example/markets', pubDate: hoursAgo(4), description: 'A missile maker gains.' },
      { guid: 'w3', title: 'Seoul weather turns cold', link: 'https://wire.example/weather', pubDate: hoursAgo(3) },
    ]),
  });
  feeds.route('/daily.xml', {
    body: rssFeed('The Daily', [
      { guid: 'd1', title: 'Missile parade planned', link: 'https://daily.example/parade', pubDate: hoursAgo(2) },
      { guid: 'd2', title: 'Harvest ends early', link: 'https://daily.example/harvest', pubDate: hoursAgo(1) },
    ]),
  });
  const config = testConfig({
    topics: [{ slug: 'korea', title: 'Korea', include: ['seoul'] }],
    sources: [
      { url: feeds.url('/wire.xml'), title: 'Yonhap Wire' },
      { url: feeds.url('/daily.xml'), title: 'The Daily' },
    ],
  });
  database = await createTestDatabase();
  const env = { ...readEnv({}), port: 0, publicUrl: 'http://feeds.test', adminToken: TOKEN };
  service = await serve(env, config, silentLog, { handleSignals: false, database, pollAtStart: false });
  await service.pollNow();
});
afterAll(async () => {
  await service?.stop();
  await feeds?.close();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** The titles of the topic's feed as served, once the change is applied and the cache synced. */
async function feedTitles(topic: string): Promise<string[] | number> {
  await service.topicsSettled();
  await service.syncFeeds();
  const response = await fetch(`${service.url}/topics/${topic}/feed.json`);
  if (response.status !== 200) return response.status;
  return ((await response.json()) as { items: Array<{ title: string }> }).items.map((i) => i.title).sort();
}

describe('topics admin API', () => {
  it('lists the config file’s topics', async () => {
    const answer = await call('GET', '/admin/api/topics');
    expect(answer.status).toBe(200);
    expect(answer.body.topics).toEqual([
      expect.objectContaining({
        slug: 'korea',
        title: 'Korea',
        include: ['seoul'],
        exclude: [],
        origin: 'config',
        digest: expect.objectContaining({ period: 'daily' }),
      }),
    ]);
  });

  it('creates a topic (201) whose feed serves the matching stored items at once, saying how many enter', async () => {
    const answer = await call('POST', '/admin/api/topics', { slug: 'missiles', title: 'Missiles', include: ['title:missile'], exclude: ['parade'] });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ topic: { slug: 'missiles', origin: 'admin', include: ['title:missile'] }, items: { enter: 1, leave: 0 } });
    expect(await feedTitles('missiles')).toEqual(['Missile test over the sea']);
    expect((await call('GET', '/admin/api/topics')).body.topics.map((t: { slug: string }) => t.slug)).toEqual(['korea', 'missiles']);
  });

  it('refuses a taken slug with 409', async () => {
    await call('POST', '/admin/api/topics', { slug: 'taken', title: 'Taken' });
    const again = await call('POST', '/admin/api/topics', { slug: 'taken', title: 'Again' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('topic_exists');
    expect((await call('POST', '/admin/api/topics', { slug: 'korea', title: 'Korea again' })).status).toBe(409);
  });

  it.each([
    ['a slug against the pattern', { slug: 'Not A Slug', title: 'X' }, 'invalid_topic', /^slug "Not A Slug": must be lower-case/],
    ['no title', { slug: 'untitled' }, 'invalid_request', /^title: /],
    ['an empty title', { slug: 'untitled', title: '  ' }, 'invalid_topic', /^title: must not be empty/],
    [
      'a rule that does not read',
      { slug: 'bad-rule', title: 'X', include: ['title:'] },
      'invalid_phrases',
      /include phrase 1 is not a rule: title: has no phrase/,
    ],
    [
      'an unknown time zone',
      { slug: 'bad-zone', title: 'X', digest: { timezone: 'Mars/Olympus' } },
      'invalid_topic',
      /^digest\.timezone: must be an IANA time zone/,
    ],
    ['an unknown field', { slug: 'extra', title: 'X', colour: 'red' }, 'invalid_request', /colour/],
  ])('refuses %s with 400 naming the field', async (_what, body, code, message) => {
    const answer = await call('POST', '/admin/api/topics', body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(code);
    expect(answer.body.error.message).toMatch(message);
  });

  it('changes a topic’s rules (200), saying how many items enter and leave, and re-classifies its feed', async () => {
    await call('POST', '/admin/api/topics', { slug: 'arms', title: 'Arms', include: ['title:missile'] });
    expect(await feedTitles('arms')).toEqual(['Missile parade planned', 'Missile test over the sea']);
    const answer = await call('PATCH', '/admin/api/topics/arms', { include: ['missile', 'source:"the daily"'], exclude: ['title:parade'], title: 'Arms race' });
    expect(answer.status).toBe(200);
    // Enter: the markets item (missile in its summary) and The Daily's harvest; leave: the parade.
    expect(answer.body).toMatchObject({ topic: { slug: 'arms', title: 'Arms race', exclude: ['title:parade'] }, items: { enter: 2, leave: 1 } });
    expect(answer.body.note).toBeUndefined();
    expect(await feedTitles('arms')).toEqual(['Harvest ends early', 'Markets close higher', 'Missile test over the sea']);
  });

  it('changes a config topic, with a note that the file wins at the next start', async () => {
    const answer = await call('PATCH', '/admin/api/topics/korea', { description: 'Peninsula news' });
    expect(answer.status).toBe(200);
    expect(answer.body.topic).toMatchObject({ slug: 'korea', description: 'Peninsula news', origin: 'config' });
    expect(answer.body.note).toMatch(/comes from feeds\.config\.json: the file's version returns at the next start/);
  });

  it('answers 404 for a topic that does not exist, and 400 for an empty change', async () => {
    expect((await call('PATCH', '/admin/api/topics/nowhere', { title: 'X' })).status).toBe(404);
    expect((await call('DELETE', '/admin/api/topics/nowhere')).body.error.code).toBe('unknown_topic');
    await call('POST', '/admin/api/topics', { slug: 'still', title: 'Still' });
    expect((await call('PATCH', '/admin/api/topics/still', {})).status).toBe(400);
    expect((await call('PATCH', '/admin/api/topics/still', { slug: 'moved' })).status).toBe(400);
  });

  it('deletes a topic (200): its feeds, pages, archives, search and digests answer 404', async () => {
    await call('POST', '/admin/api/topics', { slug: 'doomed', title: 'Doomed', include: ['missile'] });
    expect(await feedTitles('doomed')).toHaveLength(3);
    const answer = await call('DELETE', '/admin/api/topics/doomed');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ topic: { slug: 'doomed' }, items: { enter: 0, leave: 3 } });
    for (const path of ['rss.xml', 'feed.json', 'atom.xml?limit=5', 'feed.json?q=missile', 'digest/rss.xml', 'digest/', '', 'archive/0/rss.xml']) {
      expect((await fetch(`${service.url}/topics/doomed/${path}`)).status, path).toBe(404);
    }
    const stored = await database.db.selectFrom('rendered_feeds').select('topic').where('topic', '=', 'doomed').execute();
    expect(stored).toEqual([]);
    const memberships = await database.db.selectFrom('story_topics').select('topic').where('topic', '=', 'doomed').execute();
    expect(memberships).toEqual([]);
    expect((await call('GET', '/admin/api/topics')).body.topics.map((t: { slug: string }) => t.slug)).not.toContain('doomed');
  });
});

describe('topics across instances', () => {
  let other: TestContext;
  beforeAll(async () => {
    other = testContext(database, service.context.config);
    await other.topics.reload();
  });

  it('a change made through the API reaches another app context on the same database', async () => {
    await call('POST', '/admin/api/topics', { slug: 'seen-elsewhere', title: 'Seen elsewhere', include: ['harvest'] });
    expect(await other.topics.refresh()).toBe(true);
    expect(other.topics.current().bySlug.get('seen-elsewhere')).toMatchObject({ title: 'Seen elsewhere', include: ['harvest'], origin: 'admin' });
    expect(await other.topics.refresh()).toBe(false);
  });

  it('a topic made by another process (the CLI’s use-cases) is served here after the next sync', async () => {
    const api = createAdminApi(adminContext(other, adminActions(other)));
    const created = await api.createTopic({ slug: 'from-elsewhere', title: 'From elsewhere', include: ['weather'] });
    expect(created.items.enter).toBe(1);
    expect(await feedTitles('from-elsewhere')).toEqual(['Seoul weather turns cold']);
    await api.removeTopic('from-elsewhere');
    expect(await feedTitles('from-elsewhere')).toBe(404);
  });
});
