/**
 * `?q=` on a topic's feeds through the real service: a poll of two sources, then searches in
 * Latin and Korean in the three formats, their caching (ETag, 304) and refusals.
 */
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { searchTopicStories } from '../../src/store/search.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

let fixtures: FixtureServer;
let service: Service;

const wire = () =>
  rssFeed('Wire', [
    {
      guid: 'w1',
      title: 'North Korea fires missile',
      link: 'https://wire.example/1',
      pubDate: 'Mon, 23 Nov 2026 08:00:00 GMT',
      description: 'Launch seen from Seoul.',
    },
    { guid: 'w2', title: 'Seoul hosts summit', link: 'https://wire.example/2', pubDate: 'Mon, 23 Nov 2026 10:00:00 GMT', description: 'Leaders met in Seoul.' },
    {
      guid: 'w3',
      title: 'Seoulful cooking in Seoul',
      link: 'https://wire.example/3',
      pubDate: 'Mon, 23 Nov 2026 11:00:00 GMT',
      description: 'Korea north of the river.',
    },
  ]);
const yonhap = () =>
  rssFeed('연합', [
    { guid: 'y1', title: '북한의 미사일 발사', link: 'https://yna.example/1', pubDate: 'Mon, 23 Nov 2026 09:00:00 GMT', description: '서울에서 관측됐다.' },
    { guid: 'y2', title: '북한 경제 회의', link: 'https://yna.example/2', pubDate: 'Mon, 23 Nov 2026 12:00:00 GMT', description: '평양에서 열렸다.' },
  ]);

beforeAll(async () => {
  fixtures = await startFixtureServer();
  fixtures.route('/wire.xml', { body: wire() });
  fixtures.route('/yonhap.xml', { body: yonhap() });
  const config = testConfig({
    sources: [
      { url: fixtures.url('/wire.xml'), title: 'Wire Service' },
      { url: fixtures.url('/yonhap.xml'), title: 'Yonhap' },
    ],
  });
  const env = { ...readEnv({}), port: 0, publicUrl: 'http://feeds.test' };
  service = await serve(env, config, silentLog, { handleSignals: false, database: await createTestDatabase() });
  await service.pollNow();
});
afterAll(async () => {
  await service?.stop();
  await fixtures?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${service.url}${path}`, { headers });
const titles = async (path: string): Promise<string[]> => ((await (await get(path)).json()) as { items: Array<{ title: string }> }).items.map((i) => i.title);

describe('search feeds', () => {
  it('returns only the stories holding the Latin word, on word boundaries, newest first', async () => {
    expect(await titles('/topics/korea/feed.json?q=seoul')).toEqual(['Seoulful cooking in Seoul', 'Seoul hosts summit', 'North Korea fires missile']);
  });

  it('finds a Korean word inside a longer one (북한 in 북한의)', async () => {
    expect(await titles(`/topics/korea/feed.json?q=${encodeURIComponent('북한')}`)).toEqual(['북한 경제 회의', '북한의 미사일 발사']);
  });

  it('needs every word of the query', async () => {
    expect(await titles(`/topics/korea/feed.json?q=${encodeURIComponent('북한 서울')}`)).toEqual(['북한의 미사일 발사']);
  });

  it('matches a quoted phrase only in its order', async () => {
    expect(await titles(`/topics/korea/feed.json?q=${encodeURIComponent('"north korea"')}`)).toEqual(['North Korea fires missile']);
  });

  it('answers a search matching nothing with an empty, valid feed', async () => {
    const response = await get('/topics/korea/feed.json?q=zeppelin');
    expect(response.status).toBe(200);
    const feed = (await response.json()) as { version: string; items: unknown[] };
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.items).toEqual([]);
  });

  it('titles the document with the query and links it to itself', async () => {
    const rss = await (await get(`/topics/korea/rss.xml?q=${encodeURIComponent('북한')}`)).text();
    expect(rss).toContain('<title>Korea — search: 북한</title>');
    expect(rss).toContain(`href="http://feeds.test/topics/korea/rss.xml?q=${encodeURIComponent('북한')}"`);
  });

  it('serves Atom with the topic feed entry ids', async () => {
    const atom = await (await get('/topics/korea/atom.xml?q=summit')).text();
    const topicAtom = await (await get('/topics/korea/atom.xml')).text();
    const id = /<entry>[\s\S]*?<id>([^<]+)<\/id>/.exec(atom)![1]!;
    expect(topicAtom).toContain(`<id>${id}</id>`);
    expect(atom.match(/<entry>/g)).toHaveLength(1);
  });

  it('respects ?limit=', async () => {
    expect(await titles('/topics/korea/feed.json?q=seoul&limit=1')).toEqual(['Seoulful cooking in Seoul']);
  });

  it('answers a repeated request with 304 when the ETag matches', async () => {
    const first = await get('/topics/korea/rss.xml?q=seoul');
    expect(first.headers.get('cache-control')).toBe('public, max-age=300');
    const again = await get('/topics/korea/rss.xml?q=seoul', { 'if-none-match': first.headers.get('etag')! });
    expect(again.status).toBe(304);
  });

  it('refuses an empty query with 400 and an error code', async () => {
    const response = await get('/topics/korea/feed.json?q=%20%20');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_query');
  });

  it('refuses an over-long query with 400', async () => {
    expect((await get(`/topics/korea/feed.json?q=${'a'.repeat(201)}`)).status).toBe(400);
  });
});

describe('searchTopicStories', () => {
  it('pages below a cursor', async () => {
    const db = service.context.db;
    const first = await searchTopicStories(db, 'korea', 'seoul', { limit: 1 });
    const next = await searchTopicStories(db, 'korea', 'seoul', { limit: 5, before: { publishedAt: first[0]!.publishedAt, storyId: first[0]!.storyId } });
    expect(next.map((e) => e.title)).toEqual(['Seoul hosts summit', 'North Korea fires missile']);
  });
});

describe('2026-12-04T01-00-item-search-index', () => {
  it('fills the search tokens of items stored before it, so searches find them', async () => {
    const database = await createTestDatabase();
    try {
      const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo('2026-12-03T02-00-source-newest-item')).error).toBeUndefined();
      // As the previous version stored it, in SQL: today's store code writes the new column.
      const now = new Date('2026-11-24T12:00:00Z');
      const source = (
        await sql<{ id: number }>`insert into sources (url, origin) values ('https://a.example/feed', 'config') returning id`.execute(database.db)
      ).rows[0]!.id;
      const item = (
        await sql<{ id: number; story_id: number }>`
          insert into items (source_id, item_key, url, title, summary, content_html, published_at, content_hash, topics)
          values (${source}, 'old', 'https://a.example/old', 'Old news', '', '<p>북한의 <b>발표</b></p>', ${now}, 'h', '{korea}')
          returning id, story_id`.execute(database.db)
      ).rows[0]!;
      await sql`insert into stories (id, representative_item_id, published_at, first_seen_at, updated_at) overriding system value
                values (${item.story_id}, ${item.id}, ${now}, ${now}, ${now})`.execute(database.db);
      await sql`insert into story_topics (topic, story_id, published_at) values ('korea', ${item.story_id}, ${now})`.execute(database.db);

      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const found = await searchTopicStories(database.db, 'korea', '북한 발표', { limit: 10 });
      expect(found.map((e) => e.title)).toEqual(['Old news']);
    } finally {
      await database.close();
    }
  });
});
