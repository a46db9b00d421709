/**
 * Full article text (a source with fullContent): each new or changed item's page is fetched
 * from a real HTTP server on 127.0.0.1, once per item version, its article extracted from
 * navigation, cookie banners, footers and related-links boxes, and used as the item's
 * content in the topic documents, for topic rules and for grouping.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollFeeds } from '../../jobs/poll-feeds.ts';
import { MAX_PAGES_PER_POLL } from '../../src/ingest/full-content.ts';
import { createReadFeedPool } from '../../src/ingest/read-feed-pool.ts';
import { findRenderedFeed } from '../../src/store/rendered-feeds.ts';
import { findSourceHealth } from '../../src/store/source-reads.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { testConfig, testContext, type TestContext } from '../helpers/context.ts';

const ARTICLES = path.resolve(import.meta.dirname, '../fixtures/articles');
const page = (name: string) => ({ body: readFileSync(path.join(ARTICLES, name)), contentType: 'text/html; charset=utf-8' });
const BOILERPLATE = /BOILERPLATE-(COOKIE|NAV|RELATED|FOOTER)/;
const HARBOUR_TEASER = 'The harbour budget passed after a long night.';

let database: TestDatabase;
let server: FixtureServer;
let ctx: TestContext;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startFixtureServer();
  ctx = testContext(database, testConfig());
  ctx.setNow(new Date('2026-11-24T00:00:00Z'));
});
afterAll(async () => {
  await ctx.close();
  await server.close();
  await database.close();
});

async function addSource(feedPath: string, fullContent = true): Promise<number> {
  const row = await database.db
    .insertInto('sources')
    .values({ url: server.url(feedPath), origin: 'admin', full_content: fullContent, next_poll_at: ctx.now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function poll(feedPath: string) {
  const [result] = await pollFeeds(ctx, { sourceUrl: server.url(feedPath) });
  expect(result?.outcome).not.toBe('failed');
  return result!;
}

const itemsOf = (sourceId: number) => database.db.selectFrom('items').selectAll().where('source_id', '=', sourceId).orderBy('item_key').execute();

describe('a fullContent source', () => {
  let sourceId: number;
  beforeAll(async () => {
    server.route('/a/harbour', page('harbour-budget.html'));
    server.route('/a/rail', page('rail-strike.html'));
    server.route('/a/feed.xml', {
      body: rssFeed('Daily', [
        { guid: 'harbour', title: 'Harbour budget passes', link: server.url('/a/harbour'), description: HARBOUR_TEASER },
        { guid: 'rail', title: 'Rail strike called off', link: server.url('/a/rail'), description: 'No strike on Monday.' },
      ]),
    });
    sourceId = await addSource('/a/feed.xml');
    expect(await poll('/a/feed.xml')).toMatchObject({ outcome: 'stored', newItems: 2 });
  });

  it('stores the article of each page and none of the boilerplate around it', async () => {
    const [harbour, rail] = await itemsOf(sourceId);
    expect(harbour!.full_content_html).toContain('Delegations from Seoul and Busan');
    expect(rail!.full_content_html).toContain('guarantees a minimum of twelve hours between shifts');
    for (const item of [harbour!, rail!]) {
      expect(item.full_content_html).not.toMatch(BOILERPLATE);
      expect(item.full_content_error).toBeNull();
      expect(item.full_content_for).toBe(item.content_hash);
    }
    // The feed's own content is kept as it came: extraction does not make the item "changed".
    expect(harbour!.content_html).toContain(HARBOUR_TEASER);
  });

  it('classifies by the article: a topic rule matches words only the page has', async () => {
    const [harbour, rail] = await itemsOf(sourceId);
    expect(harbour!.topics).toEqual(['korea']); // "Seoul" is in the article, not the teaser
    expect(rail!.topics).toEqual([]);
  });

  it('serves the article in every format of the topic feed', async () => {
    for (const format of ['rss', 'atom', 'json'] as const) {
      const body = (await findRenderedFeed(database.db, 'korea', 'feed', format))!.body;
      expect(body).toContain('Delegations from Seoul and Busan');
      expect(body).not.toMatch(BOILERPLATE);
    }
  });

  it('fetches each page once across polls, the feed changed or not', async () => {
    server.route('/a/feed.xml', {
      body: rssFeed('Daily', [
        { guid: 'harbour', title: 'Harbour budget passes', link: server.url('/a/harbour'), description: HARBOUR_TEASER },
        { guid: 'rail', title: 'Rail strike called off', link: server.url('/a/rail'), description: 'No strike on Monday.' },
        { guid: 'more', title: 'More on the harbour', link: server.url('/a/harbour-more'), description: 'Follow-up.' },
      ]),
    });
    server.route('/a/harbour-more', page('harbour-budget.html'));
    expect(await poll('/a/feed.xml')).toMatchObject({ newItems: 1, updatedItems: 0 });
    expect(await poll('/a/feed.xml')).toMatchObject({ outcome: 'not_modified' });
    expect([server.hits('/a/harbour'), server.hits('/a/rail'), server.hits('/a/harbour-more')]).toEqual([1, 1, 1]);
  });

  it("fetches a changed item's page again, conditionally, and keeps its article on a 304", async () => {
    server.route('/a/feed.xml', {
      body: rssFeed('Daily', [
        { guid: 'harbour', title: 'Harbour budget passes', link: server.url('/a/harbour'), description: `${HARBOUR_TEASER} Updated.` },
        { guid: 'rail', title: 'Rail strike called off', link: server.url('/a/rail'), description: 'No strike on Monday.' },
        { guid: 'more', title: 'More on the harbour', link: server.url('/a/harbour-more'), description: 'Follow-up.' },
      ]),
    });
    expect(await poll('/a/feed.xml')).toMatchObject({ newItems: 0, updatedItems: 1 });
    expect(server.hits('/a/harbour')).toBe(2);
    expect(server.lastHeaders('/a/harbour')!['if-none-match']).toBeTruthy();
    const [harbour] = await itemsOf(sourceId);
    expect(harbour!.content_html).toContain(`${HARBOUR_TEASER} Updated.`);
    expect(harbour!.full_content_html).toContain('Delegations from Seoul and Busan');
    expect(harbour!.full_content_for).toBe(harbour!.content_hash);
    expect(server.hits('/a/rail')).toBe(1);
  });
});

describe('a page without a usable article', () => {
  let sourceId: number;
  beforeAll(async () => {
    server.route('/b/section', page('index-page.html'));
    server.route('/b/feed.xml', {
      body: rssFeed('Teasers', [
        { guid: 'front', title: 'Section front', link: server.url('/b/section'), description: 'The teaser of the front.' },
        { guid: 'gone', title: 'Gone', link: server.url('/b/missing'), description: 'The teaser of a missing page.' },
      ]),
    });
    sourceId = await addSource('/b/feed.xml');
    await poll('/b/feed.xml');
  });

  it("keeps the feed's own content and records why on the item", async () => {
    const items = await itemsOf(sourceId);
    expect(items.map((i) => [i.content_html, i.full_content_html])).toEqual([
      [expect.stringContaining('The teaser of the front.'), null],
      [expect.stringContaining('The teaser of a missing page.'), null],
    ]);
    expect(items[0]!.full_content_error).toMatch(/^no_article: /);
    expect(items[1]!.full_content_error).toMatch(/^http_not_found: /);
  });

  it("shows the failures in the source's health", async () => {
    const health = await findSourceHealth(database.db, sourceId, ctx.now());
    expect(Number(health!.full_content_failures)).toBe(2);
    expect(health!.full_content_last_error).toMatch(/^(no_article|http_not_found): /);
  });

  it('does not fetch a failed page again while its item is unchanged', async () => {
    server.route('/b/feed.xml', {
      body: rssFeed('Teasers', [
        { guid: 'front', title: 'Section front', link: server.url('/b/section'), description: 'The teaser of the front.' },
        { guid: 'gone', title: 'Gone', link: server.url('/b/missing'), description: 'The teaser of a missing page.' },
        { guid: 'new', title: 'New', link: server.url('/b/section'), description: 'Another teaser.' },
      ]),
    });
    await poll('/b/feed.xml');
    expect([server.hits('/b/section'), server.hits('/b/missing')]).toEqual([2, 1]); // the new item's page only
  });
});

describe('grouping', () => {
  it('puts a summary-only copy into the story of the full text by its article', async () => {
    const full = readFileSync(path.join(ARTICLES, 'rail-strike.html'), 'utf8').match(/<div class="article-body"[^>]*>([\s\S]*?)<\/div>/)![1]!;
    server.route('/c/wire.xml', {
      body: rssFeed('Wire', [{ guid: 'w1', title: 'Rail strike called off hours before deadline', link: 'https://wire.example/rail', description: full }]),
    });
    server.route('/c/rail', page('rail-strike.html'));
    server.route('/c/teasers.xml', {
      body: rssFeed('Teasers', [
        { guid: 't1', title: 'Rail strike called off hours before the deadline', link: server.url('/c/rail'), description: 'Trains run.' },
      ]),
    });
    const wire = await addSource('/c/wire.xml', false);
    const teasers = await addSource('/c/teasers.xml');
    await poll('/c/wire.xml');
    await poll('/c/teasers.xml');
    const [a, b] = await Promise.all([itemsOf(wire), itemsOf(teasers)]);
    expect(b[0]!.full_content_html).not.toBeNull();
    expect(b[0]!.story_id).toBe(a[0]!.story_id);
  });
});

describe('a first poll with more new items than a poll fetches pages for', () => {
  it('fetches the rest at the next polls, reading the feed again although it has not changed', async () => {
    const count = MAX_PAGES_PER_POLL + 5;
    const items = Array.from({ length: count }, (_, i) => ({ guid: `n${i}`, title: `Story ${i}`, link: server.url(`/d/${i}`), description: 'Teaser.' }));
    for (let i = 0; i < count; i++) server.route(`/d/${i}`, page('rail-strike.html'));
    server.route('/d/feed.xml', { body: rssFeed('Many', items) });
    const sourceId = await addSource('/d/feed.xml');
    expect(await poll('/d/feed.xml')).toMatchObject({ newItems: count, updatedItems: 0 });
    const pending = async () => (await itemsOf(sourceId)).filter((i) => i.full_content_for === null).length;
    expect(await pending()).toBe(5);
    expect(await poll('/d/feed.xml')).toMatchObject({ outcome: 'stored', newItems: 0, updatedItems: 5 });
    expect(await pending()).toBe(0);
    expect(await poll('/d/feed.xml')).toMatchObject({ outcome: 'not_modified' });
    const hits = items.map((_, i) => server.hits(`/d/${i}`));
    expect(hits.every((n) => n === 1)).toBe(true);
  });
});

describe('extraction off the main thread', () => {
  it('extracts articles in the read-feed worker threads', async () => {
    const pool = createReadFeedPool({ size: 1 });
    const pooled = Object.assign(testContext(database, testConfig(), { owner: 'pooled' }), { extractArticle: pool.extractArticle });
    try {
      server.route('/e/harbour', page('harbour-budget.html'));
      server.route('/e/feed.xml', { body: rssFeed('Pooled', [{ guid: 'e1', title: 'Harbour', link: server.url('/e/harbour'), description: 'Teaser.' }]) });
      const sourceId = await addSource('/e/feed.xml');
      await pollFeeds(pooled, { sourceUrl: server.url('/e/feed.xml') });
      expect(pool.running()).toBe(1);
      const [item] = await itemsOf(sourceId);
      expect(item!.full_content_html).toContain('Delegations from Seoul and Busan');
      expect(item!.full_content_html).not.toMatch(BOILERPLATE);
    } finally {
      await pooled.close();
      await pool.close();
    }
  });
});
