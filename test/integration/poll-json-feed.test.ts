/**
 * JSON Feed sources end to end: a real HTTP server on 127.0.0.1 serves the document, the poll job
 * reads it like an RSS or Atom feed, and its items reach the topic's rendered documents.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pollFeeds } from '../../jobs/poll-feeds.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { findRenderedFeed } from '../../src/store/rendered-feeds.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { testConfig, testContext, type TestContext } from '../helpers/context.ts';

let database: TestDatabase;
let server: FixtureServer;
let ctx: TestContext;
const clock = new Date('2026-11-24T00:00:00Z');

interface RenderedItem {
  id: string;
  url: string;
  title: string;
  content_html: string;
  date_published: string;
  authors?: Array<{ name: string }>;
  tags?: string[];
  attachments?: Array<{ url: string; mime_type: string; size_in_bytes?: number }>;
}

/** A JSON Feed 1.1 document as a Korean outlet might publish it: relative URLs, a script in one body. */
function jsonFeed(): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Seoul Desk',
    home_page_url: 'https://desk.example.org/',
    authors: [{ name: 'The Desk' }],
    items: [
      {
        id: 'desk-1',
        url: 'https://desk.example.org/news/1',
        title: 'North Korea fires a missile',
        content_html: '<p>Launch <a href="/news/background">reported</a>.</p><script>alert(1)</script>',
        date_published: '2026-11-23T09:00:00+09:00',
        tags: ['Defense'],
        attachments: [{ url: '/audio/1.mp3', mime_type: 'audio/mpeg', size_in_bytes: 2048 }],
      },
      {
        id: 2,
        url: 'https://desk.example.org/news/2',
        title: 'Seoul subway fares rise',
        content_text: 'Fares rise by 150 won next year.',
        date_published: '2026-11-23T10:00:00+09:00',
        authors: [{ name: 'Kim Min-ji' }],
      },
    ],
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startFixtureServer();
});
afterAll(async () => {
  await ctx?.close();
  await server.close();
  await database.close();
});
beforeEach(async () => {
  server.reset();
  await database.db.deleteFrom('sources').execute();
  await ctx?.close();
  ctx = testContext(database, testConfig());
  ctx.setNow(clock);
});

async function pollSource(path: string): Promise<void> {
  await syncConfigSources(database.db, [{ url: server.url(path), topics: ['korea'] }], clock);
  await pollFeeds(ctx);
}

const source = (path: string) => database.db.selectFrom('sources').selectAll().where('url', '=', server.url(path)).executeTakeFirstOrThrow();

async function topicItems(): Promise<RenderedItem[]> {
  const rendered = await findRenderedFeed(database.db, 'korea', 'feed', 'json');
  return (JSON.parse(rendered!.body) as { items: RenderedItem[] }).items;
}

describe('polling a JSON Feed source', () => {
  it('stores its items, records the source as healthy and titles it from the feed', async () => {
    server.route('/feed.json', { body: jsonFeed(), contentType: 'application/feed+json' });
    await pollSource('/feed.json');
    expect(await source('/feed.json')).toMatchObject({ error_code: null, last_status: 200, title: 'Seoul Desk' });
    const items = await database.db.selectFrom('items').select(['item_key', 'url', 'title']).orderBy('item_key').execute();
    expect(items).toEqual([
      { item_key: '2', url: 'https://desk.example.org/news/2', title: 'Seoul subway fares rise' },
      { item_key: 'desk-1', url: 'https://desk.example.org/news/1', title: 'North Korea fires a missile' },
    ]);
  });

  it("lists its items in the topic's feed with their dates, authors, tags and attachment", async () => {
    server.route('/feed.json', { body: jsonFeed(), contentType: 'application/feed+json' });
    await pollSource('/feed.json');
    const items = await topicItems();
    expect(items.map((item) => [item.url, item.title, item.date_published, item.authors?.map((a) => a.name)])).toEqual([
      ['https://desk.example.org/news/2', 'Seoul subway fares rise', '2026-11-23T01:00:00.000Z', ['Kim Min-ji']],
      ['https://desk.example.org/news/1', 'North Korea fires a missile', '2026-11-23T00:00:00.000Z', ['The Desk']],
    ]);
    expect([items[1]?.tags, items[1]?.attachments]).toEqual([['Defense'], [{ url: server.url('/audio/1.mp3'), mime_type: 'audio/mpeg', size_in_bytes: 2048 }]]);
  });

  it('serves content_html sanitized like RSS content, its links absolute', async () => {
    server.route('/feed.json', { body: jsonFeed(), contentType: 'application/feed+json' });
    await pollSource('/feed.json');
    const missile = (await topicItems()).find((item) => item.title === 'North Korea fires a missile');
    expect(missile?.content_html).toContain(`<a href="${server.url('/news/background')}"`);
    expect(missile?.content_html).not.toContain('script');
  });

  it('reads a JSON Feed served as text/plain', async () => {
    server.route('/feed.txt', { body: jsonFeed(), contentType: 'text/plain; charset=iso-8859-1' });
    await pollSource('/feed.txt');
    expect((await topicItems()).map((item) => item.title)).toEqual(['Seoul subway fares rise', 'North Korea fires a missile']);
  });

  it('records malformed_json, with the line and column, for JSON that does not parse', async () => {
    server.route('/broken.json', { body: '{\n  "version": "https://jsonfeed.org/version/1.1"\n  "items": []\n}', contentType: 'application/feed+json' });
    await pollSource('/broken.json');
    expect(await source('/broken.json')).toMatchObject({ error_code: 'malformed_json', error_message: expect.stringContaining('(line 3, column 3)') });
  });

  it('records not_a_feed for JSON that is not a JSON Feed', async () => {
    server.route('/api.json', { body: '{"status": "ok", "results": []}', contentType: 'application/json' });
    await pollSource('/api.json');
    expect(await source('/api.json')).toMatchObject({ error_code: 'not_a_feed', error_message: expect.stringContaining('no "version"') });
  });
});
