/**
 * Where a split must hold beyond the admin API's own tests (story-curation-api.test.ts): the
 * separation follows the story it names into a merge, and follows its item when the item's
 * source merges into another (a permanent redirect); an item stored again is grouped around
 * the story it was split out of. An item not grouped yet cannot be hidden (it has no story to
 * refresh).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { CANONICAL_URL_ONLY } from '../../src/dedupe/index.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { upsertItems } from '../../src/store/items.ts';
import { followPermanentRedirect } from '../../src/store/source-merge.ts';
import { groupPendingItems } from '../../src/store/story-assignment.ts';
import { mergeStories, setItemHidden, splitItem } from '../../src/store/story-curation.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeItem } from '../helpers/items.ts';

const database = useTestDatabase();
const now = new Date('2026-11-24T00:00:00Z');
const who = { actor: 'test', now };
const URL_ONE = 'https://news.example/one';
let source: Record<'a' | 'b' | 'c', number>;

beforeEach(async () => {
  await syncConfigSources(
    database.db,
    ['a', 'b', 'c'].map((s) => ({ url: `https://${s}.example/feed`, topics: ['korea'] })),
    now,
  );
  const rows = await database.db.selectFrom('sources').select(['id', 'url']).execute();
  const id = (s: string) => rows.find((r) => r.url === `https://${s}.example/feed`)!.id;
  source = { a: id('a'), b: id('b'), c: id('c') };
});

/** Stores (and groups) one item of `source` at `url`, keyed `key`. */
async function store(from: keyof typeof source, key: string, url: string, published = '2026-11-23T10:00:00Z'): Promise<void> {
  await upsertItems(database.db, source[from], [makeItem({ key, url, canonicalUrl: url, publishedAt: new Date(published), topics: ['korea'] })], now);
  await groupPendingItems(database.db, now, CANONICAL_URL_ONLY);
}

const storyOf = async (from: keyof typeof source, key: string) =>
  (await database.db.selectFrom('items').select('story_id').where('source_id', '=', source[from]).where('item_key', '=', key).executeTakeFirstOrThrow())
    .story_id;
const idOf = async (from: keyof typeof source, key: string) =>
  (await database.db.selectFrom('items').select('id').where('source_id', '=', source[from]).where('item_key', '=', key).executeTakeFirstOrThrow()).id;

describe('a split item', () => {
  it('stays out of the story it left when that story is merged into another', async () => {
    await store('a', 'a1', URL_ONE, '2026-11-23T09:00:00Z');
    await store('b', 'b1', URL_ONE);
    await store('c', 'c1', 'https://news.example/two', '2026-11-23T08:00:00Z');
    const left = await storyOf('a', 'a1');
    expect(await splitItem(database.db, left, await idOf('b', 'b1'), who)).toMatchObject({ storyId: expect.any(Number) });
    const older = await storyOf('c', 'c1');
    // c1's story is the older: the one a1's story merges into.
    await database.db
      .updateTable('stories')
      .set({ first_seen_at: new Date('2026-11-01T00:00:00Z') })
      .where('id', '=', older)
      .execute();
    expect(await mergeStories(database.db, [left, older], who)).toMatchObject({ storyId: older });
    const splits = await database.db.selectFrom('story_splits').select(['item_key', 'story_id']).execute();
    expect(splits).toEqual([{ item_key: 'b1', story_id: older }]);
    // Stored again (retention deleted it; the feed lists it still): grouped, but not with a1.
    await database.db
      .deleteFrom('items')
      .where('id', '=', await idOf('b', 'b1'))
      .execute();
    await store('b', 'b1', URL_ONE);
    expect(await storyOf('b', 'b1')).not.toBe(older);
  });

  it('stays out when its source merges into another (a permanent redirect)', async () => {
    await store('a', 'a1', URL_ONE, '2026-11-23T09:00:00Z');
    await store('b', 'b1', URL_ONE);
    const left = await storyOf('a', 'a1');
    await splitItem(database.db, left, await idOf('b', 'b1'), who);
    await database.db
      .transaction()
      .execute((trx) => followPermanentRedirect(trx, source.b, 'https://c.example/feed', now, (_item, source) => [...source.topics]));
    expect(await database.db.selectFrom('story_splits').select(['source_id', 'item_key', 'story_id']).execute()).toEqual([
      { source_id: source.c, item_key: 'b1', story_id: left },
    ]);
    await database.db.deleteFrom('items').where('item_key', '=', 'b1').execute();
    await store('c', 'b1', URL_ONE);
    expect(await storyOf('c', 'b1')).not.toBe(left);
  });
});

describe('hiding', () => {
  it('waits for the item to be grouped', async () => {
    await upsertItems(database.db, source.a, [makeItem({ key: 'a1', topics: ['korea'] })], now);
    expect(await setItemHidden(database.db, await idOf('a', 'a1'), true, who)).toEqual({ refused: 'not_grouped' });
    await groupPendingItems(database.db, now, CANONICAL_URL_ONLY);
    expect(await setItemHidden(database.db, await idOf('a', 'a1'), true, who)).toMatchObject({ storyId: await storyOf('a', 'a1') });
  });
});
