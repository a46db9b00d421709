/**
 * Migrations over stored data: a database an earlier version left behind keeps its items
 * and stories, and whatever it had not finished is picked up.
 */
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { CANONICAL_URL_ONLY } from '../../src/dedupe/index.ts';
import { groupPendingItems } from '../../src/store/story-assignment.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let database: TestDatabase;
const migrator = () => new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
const now = new Date('2026-11-24T12:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

describe('2026-11-25T00-00-provisional-stories', () => {
  it('keeps grouped items in their stories and queues the items an interrupted poll left ungrouped', async () => {
    const down = await migrator().migrateTo('2026-11-24T05-00-host-politeness');
    expect(down.error).toBeUndefined();

    // As the previous version stored them: one grouped item with its story, one committed
    // by a poll that died before grouping (story_id null), a copy of the first.
    // In SQL, not through syncConfigSources: today's store code may use columns this schema lacks.
    const sourceId = (
      await sql<{ id: number }>`insert into sources (url, origin) values ('https://a.example/feed', 'config') returning id`.execute(database.db)
    ).rows[0]!.id;
    const insertItem = async (key: string) =>
      (
        await sql<{ id: number }>`
          insert into items (source_id, item_key, url, canonical_url, title, summary, published_at, content_hash)
          values (${sourceId}, ${key}, ${`https://a.example/${key}`}, 'https://a.example/story', 'A story', '', ${now}, ${key})
          returning id`.execute(database.db)
      ).rows[0]!.id;
    const grouped = await insertItem('grouped');
    const story = (
      await sql<{
        id: number;
      }>`insert into stories (representative_item_id, published_at, first_seen_at, updated_at) values (${grouped}, ${now}, ${now}, ${now}) returning id`.execute(
        database.db,
      )
    ).rows[0]!.id;
    await sql`update items set story_id = ${story}, story_reason = '{"via":"founded"}' where id = ${grouped}`.execute(database.db);
    const pending = await insertItem('pending');

    const up = await migrator().migrateToLatest();
    expect(up.error).toBeUndefined();

    const items = await database.db.selectFrom('items').select(['id', 'story_id']).orderBy('id').execute();
    expect(items[0]).toEqual({ id: grouped, story_id: story });
    expect(items[1]!.story_id).not.toBe(story);
    expect(await database.db.selectFrom('ungrouped_items').select('item_id').execute()).toEqual([{ item_id: pending }]);

    // The next grouping run puts the left-over copy into the existing story.
    await groupPendingItems(database.db, now, CANONICAL_URL_ONLY);
    expect(await database.db.selectFrom('items').select('story_id').where('id', '=', pending).executeTakeFirstOrThrow()).toEqual({ story_id: story });
    expect(await database.db.selectFrom('ungrouped_items').select('item_id').execute()).toEqual([]);
  });
});

describe('2026-12-03T02-00-source-newest-item', () => {
  it('fills the newest item date and usual gap of each source from the items it has stored', async () => {
    const down = await migrator().migrateTo('2026-12-03T01-00-source-basic-auth');
    expect(down.error).toBeUndefined();
    const insertSource = async (url: string) =>
      (await sql<{ id: number }>`insert into sources (url, origin) values (${url}, 'config') returning id`.execute(database.db)).rows[0]!.id;
    const daily = await insertSource('https://daily.example/feed');
    const silent = await insertSource('https://silent.example/feed');
    // Daily for 20 days up to a month ago: 8 items in the week up to the newest (both ends count).
    const newest = new Date('2026-10-01T00:00:00Z');
    for (let day = 0; day < 20; day++) {
      const publishedAt = new Date(newest.getTime() - day * 86_400_000);
      await sql`
        insert into items (source_id, item_key, url, title, summary, published_at, content_hash)
        values (${daily}, ${`d${day}`}, ${`https://daily.example/${day}`}, 'Day', '', ${publishedAt}, ${`d${day}`})`.execute(database.db);
    }

    const up = await migrator().migrateToLatest();
    expect(up.error).toBeUndefined();

    const rows = await database.db
      .selectFrom('sources')
      .select(['id', 'newest_item_at', 'publishing_gap_seconds'])
      .where('id', 'in', [daily, silent])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: daily, newest_item_at: newest, publishing_gap_seconds: 75_600 },
      { id: silent, newest_item_at: null, publishing_gap_seconds: null },
    ]);
  });
});
