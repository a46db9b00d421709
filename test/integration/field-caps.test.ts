/**
 * A publisher sending huge fields: the poll stores the item with every field within its cap,
 * records what was cut, and the topic documents stay their usual size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollFeeds } from '../../jobs/poll-feeds.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { findRenderedFeed } from '../../src/store/rendered-feeds.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { testConfig, testContext, type TestContext } from '../helpers/context.ts';

let database: TestDatabase;
let server: FixtureServer;
let ctx: TestContext;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startFixtureServer();
  ctx = testContext(database, testConfig({ polling: { timeoutMs: 5000, maxBytes: 32 * 1024 * 1024, allowPrivateNetworks: true } }));
  const huge = 'North Korea '.repeat(800_000); // ~9.6 MB
  server.route('/huge.xml', {
    body: rssFeed('Huge', [{ guid: 'h1', title: huge, link: 'https://huge.example/1', description: `<p>${huge}</p>`, category: 'x'.repeat(5000) }]),
  });
  const now = new Date('2026-11-24T00:00:00Z');
  ctx.setNow(now);
  await syncConfigSources(database.db, [{ url: server.url('/huge.xml'), topics: ['korea'] }], now);
  const [result] = await pollFeeds(ctx);
  expect(result).toMatchObject({ outcome: 'stored', newItems: 1 });
});
afterAll(async () => {
  await ctx.close();
  await server.close();
  await database.close();
});

describe('field caps at ingest', () => {
  it('stores every field within its cap and records which were cut', async () => {
    const item = await database.db.selectFrom('items').select(['title', 'content_html', 'categories', 'truncated']).executeTakeFirstOrThrow();
    expect(item.title.length).toBe(1_000);
    expect(item.content_html!.length).toBeLessThanOrEqual(1_000_000);
    expect(item.categories[0]!.length).toBe(200);
    expect([...item.truncated].sort()).toEqual(['category', 'content', 'title']);
  });

  it('keeps the topic documents small', async () => {
    for (const format of ['rss', 'atom', 'json'] as const) {
      const document = await findRenderedFeed(database.db, 'korea', 'feed', format);
      // One entry: its body (~1 MB, escaped once more in XML) and its cut title; not 9 MB.
      expect(document!.body.length).toBeLessThan(2_500_000);
      expect(document!.body).toContain('North Korea');
    }
  });
});
