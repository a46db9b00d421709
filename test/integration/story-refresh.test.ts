/**
 * refreshStories rewrites a story's topic memberships (delete, then insert): readers must
 * never see the story between the two, whoever calls it, transaction or not.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseFeedsConfig } from '../../src/config/load-config.ts';
import { storyGrouping } from '../../src/dedupe/index.ts';
import { itemFeatures } from '../../src/ingest/read-feed.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { upsertItems } from '../../src/store/items.ts';
import { refreshStories } from '../../src/store/stories.ts';
import { groupPendingItems } from '../../src/store/story-assignment.ts';
import { clearContent, createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { makeItem } from '../helpers/items.ts';

let database: TestDatabase;
const now = new Date('2026-12-01T00:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});
beforeEach(async () => {
  await clearContent(database);
});

/** One stored, grouped item in topic korea; its story's id. */
async function storyInKorea(): Promise<number> {
  await syncConfigSources(database.db, [{ url: 'https://a.example/feed', title: 'A', topics: [] }], now);
  const source = await database.db.selectFrom('sources').select('id').executeTakeFirstOrThrow();
  const item = makeItem({ key: 'one', url: 'https://a.example/one', title: 'Talks resume in Seoul', contentHtml: '<p>Talks resume.</p>', publishedAt: now });
  const { canonicalUrl, contentHash, signature } = itemFeatures(item);
  await database.db
    .transaction()
    .execute((trx) => upsertItems(trx, source.id, [{ ...item, canonicalUrl, contentHash, ownSite: true, topics: ['korea'], signature }], now));
  await groupPendingItems(database.db, now, storyGrouping(parseFeedsConfig({}, 'x').dedupe));
  const row = await database.db.selectFrom('items').select('story_id').executeTakeFirstOrThrow();
  return row.story_id!;
}

const memberships = (storyId: number) => database.db.selectFrom('story_topics').select('topic').where('story_id', '=', storyId).execute();

describe('refreshStories', () => {
  it('keeps the memberships it had when rewriting them fails half-way, called outside a transaction', async () => {
    const storyId = await storyInKorea();
    expect(await memberships(storyId)).toEqual([{ topic: 'korea' }]);
    await sql`create function refuse_story_topic() returns trigger language plpgsql as $$ begin raise exception 'refused'; end $$`.execute(database.db);
    await sql`create trigger refuse_story_topic before insert on story_topics for each row execute function refuse_story_topic()`.execute(database.db);
    try {
      await expect(refreshStories(database.db, [storyId], now)).rejects.toThrow('refused');
    } finally {
      await sql`drop trigger refuse_story_topic on story_topics`.execute(database.db);
      await sql`drop function refuse_story_topic()`.execute(database.db);
    }
    expect(await memberships(storyId)).toEqual([{ topic: 'korea' }]);
  });

  it('rewrites the memberships from the items when called outside a transaction', async () => {
    const storyId = await storyInKorea();
    await database.db
      .updateTable('items')
      .set({ topics: ['korea', 'world'] })
      .execute();
    const topics = await refreshStories(database.db, [storyId], now);
    expect([...topics].sort()).toEqual(['korea', 'world']);
    expect((await memberships(storyId)).map((m) => m.topic).sort()).toEqual(['korea', 'world']);
  });
});
