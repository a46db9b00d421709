/**
 * refreshStories rewrites a story's topic memberships (delete, then insert): readers must
 * never see the story between the two, whoever calls it, transaction or not.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { CANONICAL_URL_ONLY } from '../../src/dedupe/index.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { upsertItems } from '../../src/store/items.ts';
import { refreshStories } from '../../src/store/stories.ts';
import { groupPendingItems } from '../../src/store/story-assignment.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeItem } from '../helpers/items.ts';

const database = useTestDatabase();
const now = new Date('2026-12-01T00:00:00Z');

/** One stored, grouped item in topic korea; its story's id. */
async function storyInKorea(): Promise<number> {
  await syncConfigSources(database.db, [{ url: 'https://a.example/feed', topics: [] }], now);
  const source = await database.db.selectFrom('sources').select('id').executeTakeFirstOrThrow();
  await upsertItems(database.db, source.id, [makeItem({ key: 'one', publishedAt: now, topics: ['korea'] })], now);
  await groupPendingItems(database.db, now, CANONICAL_URL_ONLY);
  return (await database.db.selectFrom('items').select('story_id').executeTakeFirstOrThrow()).story_id!;
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
