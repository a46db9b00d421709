/**
 * Topic archives (RFC 5005 §4) over HTTP: walking prev-archive from the current document
 * reaches every story of the topic once, pages keep their stories as new ones arrive, and
 * pages emptied by retention answer 410.
 */
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { pruneItems } from '../../jobs/prune-items.ts';
import { regenerateFeeds } from '../../jobs/regenerate-feeds.ts';
import { readEnv } from '../../src/config/env.ts';
import { CANONICAL_URL_ONLY } from '../../src/dedupe/index.ts';
import { serve, type Service } from '../../src/main.ts';
import { upsertItems } from '../../src/store/items.ts';
import { groupPendingItems } from '../../src/store/story-assignment.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { makeItem } from '../helpers/items.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

const PUBLIC_URL = 'http://feeds.test';
const FIRST = Date.parse('2026-11-01T00:00:00Z');
const hour = (n: number) => new Date(FIRST + n * 3_600_000);
let clock = new Date('2026-11-10T00:00:00Z');
let service: Service;
let sourceId: number;

/** Stores stories s<from>…s<to - 1>, one an hour from 2026-11-01 (or at `at`), and re-renders. */
async function addStories(from: number, to: number, at?: (n: number) => Date): Promise<void> {
  const items = Array.from({ length: to - from }, (_, k) => {
    const n = from + k;
    return makeItem({ key: `s${n}`, title: `Seoul story ${n}`, publishedAt: (at ?? hour)(n), topics: ['korea'] });
  });
  await upsertItems(service.context.db, sourceId, items, clock);
  await groupPendingItems(service.context.db, clock, CANONICAL_URL_ONLY);
  await regenerateFeeds(service.context);
}

beforeAll(async () => {
  const config = testConfig({ sources: [{ url: 'https://wire.example/feed', title: 'Wire' }], retention: { days: 20 } });
  const env = { ...readEnv({}), port: 0, publicUrl: PUBLIC_URL };
  service = await serve(env, config, silentLog, { handleSignals: false, database: await createTestDatabase(), pollAtStart: false, now: () => clock });
  await service.digestsNow();
  sourceId = (await service.context.db.selectFrom('sources').select('id').executeTakeFirstOrThrow()).id;
  await addStories(0, 130);
});
afterAll(async () => {
  await service?.stop();
});

const get = (url: string, headers: Record<string, string> = {}) => fetch(url.replace(PUBLIC_URL, service.url), { headers });
const text = async (url: string) => (await get(url)).text();
const ids = (atom: string) => [...atom.matchAll(/<entry><title[^>]*>[^<]*<\/title><id>([^<]+)<\/id>/g)].map((m) => m[1]!);
const link = (atom: string, rel: string) => new RegExp(`<link rel="${rel}" type="application/atom\\+xml" href="([^"]+)"/>`).exec(atom)?.[1];

/** The archive pages from the current document back, each page's entry ids. */
async function walk(): Promise<{ current: string[]; pages: Array<{ url: string; ids: string[] }> }> {
  const current = await text(`${PUBLIC_URL}/topics/korea/atom.xml`);
  const pages: Array<{ url: string; ids: string[] }> = [];
  for (let url = link(current, 'prev-archive'); url !== undefined; ) {
    const page = await text(url);
    pages.push({ url, ids: ids(page) });
    url = link(page, 'prev-archive');
  }
  return { current: ids(current), pages };
}

async function storedStoryIds(): Promise<string[]> {
  const rows = await service.context.db
    .selectFrom('story_topics as st')
    .innerJoin('stories as s', 's.id', 'st.story_id')
    .select('s.guid')
    .where('st.topic', '=', 'korea')
    .execute();
  return rows.map((r) => `urn:uuid:${r.guid}`).sort();
}

describe('topic archives', () => {
  it('reaches every stored story once by walking prev-archive from the current document', async () => {
    const { current, pages } = await walk();
    expect(pages.map((p) => p.url)).toEqual([`${PUBLIC_URL}/topics/korea/archive/1/atom.xml`, `${PUBLIC_URL}/topics/korea/archive/0/atom.xml`]);
    const archived = pages.flatMap((p) => p.ids);
    expect(new Set(archived).size).toBe(archived.length);
    expect(archived).toHaveLength(100);
    expect([...new Set([...current, ...archived])].sort()).toEqual(await storedStoryIds());
  });

  it('marks pages as archives, links the current document, and fills them oldest first', async () => {
    const page = await text(`${PUBLIC_URL}/topics/korea/archive/0/atom.xml`);
    expect(page).toContain('xmlns:fh="http://purl.org/syndication/history/1.0"');
    expect(page).toContain('<fh:archive/>');
    expect(link(page, 'current')).toBe(`${PUBLIC_URL}/topics/korea/atom.xml`);
    expect(link(page, 'self')).toBe(`${PUBLIC_URL}/topics/korea/archive/0/atom.xml`);
    expect(link(page, 'prev-archive')).toBeUndefined();
    const titles = [...page.matchAll(/<entry><title type="text">([^<]+)</g)].map((m) => m[1]);
    expect(titles[0]).toBe('Seoul story 49');
    expect(titles.at(-1)).toBe('Seoul story 0');
  });

  it('uses the same entry ids as the current document', async () => {
    const current = ids(await text(`${PUBLIC_URL}/topics/korea/atom.xml`));
    const newest = ids(await text(`${PUBLIC_URL}/topics/korea/archive/1/atom.xml`));
    // Stories 80-99 are in both: the current document's 50 newest, and page 1 (50-99).
    expect(newest.filter((id) => current.includes(id))).toHaveLength(20);
  });

  it('links the pages in RSS (atom:link) and JSON Feed (next_url)', async () => {
    const rss = await text(`${PUBLIC_URL}/topics/korea/rss.xml`);
    expect(rss).toContain(`<atom:link rel="prev-archive" type="application/rss+xml" href="${PUBLIC_URL}/topics/korea/archive/1/rss.xml"/>`);
    const rssPage = await text(`${PUBLIC_URL}/topics/korea/archive/1/rss.xml`);
    expect(rssPage).toContain('<fh:archive/>');
    expect(rssPage).toContain(`<atom:link rel="current" type="application/rss+xml" href="${PUBLIC_URL}/topics/korea/rss.xml"/>`);
    const json = (await (await get(`${PUBLIC_URL}/topics/korea/feed.json`)).json()) as { next_url: string };
    expect(json.next_url).toBe(`${PUBLIC_URL}/topics/korea/archive/1/feed.json`);
    const page = (await (await get(json.next_url)).json()) as { next_url: string; items: unknown[]; _tidings: unknown };
    expect(page.next_url).toBe(`${PUBLIC_URL}/topics/korea/archive/0/feed.json`);
    expect(page.items).toHaveLength(50);
    expect(page._tidings).toEqual({ archive: true, current_url: `${PUBLIC_URL}/topics/korea/feed.json` });
  });

  it('serves pages with a long Cache-Control, an ETag and 304 on revalidation', async () => {
    const url = `${PUBLIC_URL}/topics/korea/archive/0/atom.xml`;
    const response = await get(url);
    expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=604800');
    const etag = response.headers.get('etag')!;
    const again = await get(url, { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it('answers 404 with the error shape for a page that does not exist, and a page to browsers', async () => {
    for (const path of ['/topics/korea/archive/2/atom.xml', '/topics/korea/archive/01/atom.xml', '/topics/korea/archive/x/rss.xml']) {
      const response = await get(PUBLIC_URL + path);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unknown_archive_page');
    }
    const page = await get(`${PUBLIC_URL}/topics/korea/archive/9/atom.xml`, { accept: 'text/html,*/*;q=0.8' });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('keeps every page as it was when new stories arrive, late ones included', async () => {
    const before = await walk();
    // 55 new stories, and one published before all the others, found late.
    await addStories(130, 185);
    await addStories(185, 186, () => new Date('2026-10-30T00:00:00Z'));
    const after = await walk();
    expect(after.pages.slice(-2)).toEqual(before.pages);
    expect(after.pages.map((p) => p.url.replace(/.*archive\//, ''))).toEqual(['2/atom.xml', '1/atom.xml', '0/atom.xml']);
    // 186 stories: three pages of 50, and 36 not archived yet, all in the current document (the late one after the newest 50).
    expect(after.current.length).toBe(51);
    const archived = after.pages.flatMap((p) => p.ids);
    expect(new Set(archived).size).toBe(150);
    expect([...new Set([...after.current, ...archived])].sort()).toEqual(await storedStoryIds());
  });

  it('lists a story that arrived late with an old date in the current document until it is archived', async () => {
    await addStories(186, 187, () => new Date('2026-10-29T00:00:00Z'));
    const current = await text(`${PUBLIC_URL}/topics/korea/atom.xml`);
    const titles = [...current.matchAll(/<entry><title type="text">([^<]+)</g)].map((m) => m[1]);
    expect(titles).toHaveLength(52);
    expect(titles.slice(-2)).toEqual(['Seoul story 185', 'Seoul story 186']);
  });

  it('answers 410 for pages retention emptied, and the oldest page left links no further back', async () => {
    clock = new Date('2026-11-23T12:00:00Z'); // cutoff 2026-11-03T12:00: stories 0-59 go
    // It also removes the two late stories from the current document: its new generation
    // retires the archive pages the service rendered before.
    await pruneItems(service.context);
    expect((await get(`${PUBLIC_URL}/topics/korea/archive/0/atom.xml`)).status).toBe(410);
    const page1 = await text(`${PUBLIC_URL}/topics/korea/archive/1/atom.xml`);
    expect(ids(page1)).toHaveLength(40);
    expect(link(page1, 'prev-archive')).toBeUndefined();
    const { current, pages } = await walk();
    expect(pages.map((p) => p.url.replace(/.*archive\//, ''))).toEqual(['2/atom.xml', '1/atom.xml']);
    const archived = pages.flatMap((p) => p.ids);
    expect(new Set(archived).size).toBe(archived.length);
    expect([...new Set([...current, ...archived])].sort()).toEqual(await storedStoryIds());
  });
});

describe('2026-12-05T02-00-topic-archive-pending', () => {
  it('queues for the archive the stories stored before it that no page holds, and only those', async () => {
    const database = await createTestDatabase();
    try {
      const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo('2026-12-04T04-00-websub-source-subscriptions')).error).toBeUndefined();
      // As the previous version stored them, in SQL: one story archived on page 0, one not.
      const now = new Date('2026-11-24T12:00:00Z');
      const source = (
        await sql<{ id: number }>`insert into sources (url, origin) values ('https://a.example/feed', 'config') returning id`.execute(database.db)
      ).rows[0]!.id;
      const storyIds: number[] = [];
      for (const key of ['archived', 'pending']) {
        const item = (
          await sql<{ id: number; story_id: number }>`
            insert into items (source_id, item_key, url, title, summary, published_at, content_hash, topics)
            values (${source}, ${key}, ${`https://a.example/${key}`}, ${key}, '', ${now}, 'h', '{korea}') returning id, story_id`.execute(database.db)
        ).rows[0]!;
        await sql`insert into stories (id, representative_item_id, published_at, first_seen_at, updated_at) overriding system value
                  values (${item.story_id}, ${item.id}, ${now}, ${now}, ${now})`.execute(database.db);
        await sql`insert into story_topics (topic, story_id, published_at) values ('korea', ${item.story_id}, ${now})`.execute(database.db);
        storyIds.push(Number(item.story_id));
      }
      await sql`insert into topic_archive_entries (story_id, topic, page) values (${storyIds[0]}, 'korea', 0)`.execute(database.db);

      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const queued = await database.db.selectFrom('topic_archive_pending').select(['topic', 'story_id']).execute();
      expect(queued.map((row) => [row.topic, Number(row.story_id)])).toEqual([['korea', storyIds[1]]]);
    } finally {
      await database.close();
    }
  });
});
