import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { countItems, upsertItems } from '../../src/store/items.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeItem } from '../helpers/items.ts';

const database = useTestDatabase();
let sourceId: number;
const now = new Date('2026-11-24T00:00:00Z');

beforeEach(async () => {
  await syncConfigSources(database.db, [{ url: 'https://feeds.example.org/rss', topics: [] }], now);
  sourceId = (await database.db.selectFrom('sources').select('id').executeTakeFirstOrThrow()).id;
});

describe('upsertItems', () => {
  it('inserts new items and reports them', async () => {
    const result = await upsertItems(database.db, sourceId, [makeItem({ key: 'a' }), makeItem({ key: 'b' })], now);
    expect(result.insertedIds).toHaveLength(2);
    expect(result.updatedIds).toEqual([]);
    expect(await countItems(database.db, sourceId)).toBe(2);
  });

  it('writes nothing when the same items come again unchanged', async () => {
    const items = [makeItem({ key: 'a' }), makeItem({ key: 'b' })];
    await upsertItems(database.db, sourceId, items, now);
    const before = await database.db.selectFrom('items').select(['id', 'changed_at']).orderBy('id').execute();
    const again = await upsertItems(database.db, sourceId, items, new Date(now.getTime() + 60_000));
    expect(again).toEqual({ insertedIds: [], updatedIds: [] });
    expect(await database.db.selectFrom('items').select(['id', 'changed_at']).orderBy('id').execute()).toEqual(before);
  });

  it('updates a changed item in place, keeping its id and first-seen time', async () => {
    await upsertItems(database.db, sourceId, [makeItem({ key: 'a', title: 'Old title' })], now);
    const original = await database.db.selectFrom('items').selectAll().executeTakeFirstOrThrow();
    const later = new Date(now.getTime() + 3600_000);
    const result = await upsertItems(database.db, sourceId, [makeItem({ key: 'a', title: 'Corrected title' })], later);
    expect(result).toEqual({ insertedIds: [], updatedIds: [original.id] });
    const row = await database.db.selectFrom('items').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ id: original.id, title: 'Corrected title', first_seen_at: original.first_seen_at, changed_at: later });
    expect(await countItems(database.db, sourceId)).toBe(1);
  });

  it('keeps items that drop out of the feed', async () => {
    await upsertItems(database.db, sourceId, [makeItem({ key: 'a' }), makeItem({ key: 'b' })], now);
    await upsertItems(database.db, sourceId, [makeItem({ key: 'b' })], now);
    expect(await countItems(database.db, sourceId)).toBe(2);
  });

  it('stores the first-seen time for an undated item and never a future date', async () => {
    await upsertItems(
      database.db,
      sourceId,
      [makeItem({ key: 'undated', publishedAt: null }), makeItem({ key: 'future', publishedAt: new Date('2030-01-01T00:00:00Z') })],
      now,
    );
    const rows = await database.db.selectFrom('items').select(['item_key', 'published_at', 'feed_published_at']).orderBy('item_key').execute();
    expect(rows).toEqual([
      { item_key: 'future', published_at: now, feed_published_at: new Date('2030-01-01T00:00:00Z') },
      { item_key: 'undated', published_at: now, feed_published_at: null },
    ]);
  });

  it('dates an entry that states only its update time by that time', async () => {
    const updated = new Date('2026-11-23T08:00:00Z');
    await upsertItems(database.db, sourceId, [makeItem({ key: 'atom', publishedAt: null, updatedAt: updated })], now);
    const row = await database.db.selectFrom('items').select(['published_at', 'feed_updated_at']).executeTakeFirstOrThrow();
    expect(row).toEqual({ published_at: updated, feed_updated_at: updated });
  });

  it('keeps the date of an entry dated by its update time when it is edited later', async () => {
    const updated = new Date('2026-11-23T08:00:00Z');
    await upsertItems(database.db, sourceId, [makeItem({ key: 'atom', publishedAt: null, updatedAt: updated })], now);
    const later = new Date(now.getTime() + 6 * 3600_000);
    const edited = makeItem({ key: 'atom', title: 'Edited', publishedAt: null, updatedAt: new Date(later.getTime() - 60_000) });
    expect((await upsertItems(database.db, sourceId, [edited], later)).updatedIds).toHaveLength(1);
    const row = await database.db.selectFrom('items').select(['title', 'published_at']).executeTakeFirstOrThrow();
    expect(row).toEqual({ title: 'Edited', published_at: updated });
  });

  it('takes a publication date that appears later, clamped to the first sighting', async () => {
    await upsertItems(database.db, sourceId, [makeItem({ key: 'atom', publishedAt: null, updatedAt: new Date('2026-11-23T08:00:00Z') })], now);
    const published = new Date('2026-11-22T08:00:00Z');
    await upsertItems(
      database.db,
      sourceId,
      [makeItem({ key: 'atom', publishedAt: published, updatedAt: new Date('2026-11-23T08:00:00Z') })],
      new Date(now.getTime() + 3600_000),
    );
    expect((await database.db.selectFrom('items').select('published_at').executeTakeFirstOrThrow()).published_at).toEqual(published);
  });

  it('keeps the first of two items with one key in a single poll', async () => {
    const result = await upsertItems(database.db, sourceId, [makeItem({ key: 'dup', title: 'First' }), makeItem({ key: 'dup', title: 'Second' })], now);
    expect(result.insertedIds).toHaveLength(1);
    expect((await database.db.selectFrom('items').select('title').executeTakeFirstOrThrow()).title).toBe('First');
  });

  it('stores keys longer than an index entry allows as a stable hash', async () => {
    const longKey = `urn:${'x'.repeat(10_000)}`;
    await upsertItems(database.db, sourceId, [makeItem({ key: longKey })], now);
    const again = await upsertItems(database.db, sourceId, [makeItem({ key: longKey })], now);
    expect(again).toEqual({ insertedIds: [], updatedIds: [] });
    expect((await database.db.selectFrom('items').select('item_key').executeTakeFirstOrThrow()).item_key).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('strips NUL characters that Postgres text cannot hold', async () => {
    await upsertItems(database.db, sourceId, [makeItem({ key: 'nul', title: 'A\u0000B' })], now);
    expect((await database.db.selectFrom('items').select('title').executeTakeFirstOrThrow()).title).toBe('AB');
  });

  it('replaces a lone UTF-16 surrogate, which Postgres cannot store, with U+FFFD', async () => {
    await upsertItems(database.db, sourceId, [makeItem({ key: 'surrogate', title: 'A\uD800B', categories: ['\uDC00'] })], now);
    const row = await database.db.selectFrom('items').select(['title', 'categories']).executeTakeFirstOrThrow();
    expect(row).toEqual({ title: 'A\uFFFDB', categories: ['\uFFFD'] });
  });

  it('stores every field exactly: array elements with delimiters, 64-bit signature values, the enclosure', async () => {
    const signature = {
      fingerprint: -(2n ** 63n),
      leadFingerprint: 2n ** 63n - 1n,
      bucketKeys: [9007199254740993n, -9007199254740993n],
      titleKey: ['seoul', '"quoted", {braced}'],
      numbers: ['1,000', '3.5'],
      length: 321,
    };
    const item = makeItem({
      key: 'exact',
      author: 'Kim "Reporter"',
      categories: ['a,b', 'quote"d', '{brace}', 'back\\slash', 'NULL'],
      enclosure: { url: 'https://cdn.example/a.mp3', type: 'audio/mpeg', length: 12345678901 },
      updatedAt: new Date('2026-11-21T08:30:00.123Z'),
      topics: ['korea'],
      signature,
    });
    await upsertItems(database.db, sourceId, [item], now);
    const row = await database.db
      .selectFrom('items')
      .select([
        'author',
        'categories',
        'enclosure_url',
        'enclosure_type',
        'enclosure_length',
        'published_at',
        'feed_updated_at',
        'topics',
        'title_key',
        'numbers',
        'body_length',
      ])
      .select([sql<string>`fingerprint::text`.as('fingerprint'), sql<string>`lead_fingerprint::text`.as('lead'), sql<string[]>`bucket_keys::text[]`.as('keys')])
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      author: 'Kim "Reporter"',
      categories: ['a,b', 'quote"d', '{brace}', 'back\\slash', 'NULL'],
      enclosure_url: 'https://cdn.example/a.mp3',
      enclosure_type: 'audio/mpeg',
      enclosure_length: 12345678901,
      published_at: item.publishedAt,
      feed_updated_at: item.updatedAt,
      topics: ['korea'],
      title_key: signature.titleKey,
      numbers: signature.numbers,
      body_length: 321,
      fingerprint: '-9223372036854775808',
      lead: '9223372036854775807',
      keys: ['9007199254740993', '-9007199254740993'],
    });
  });

  it('queues new items for story grouping, and only new ones', async () => {
    const first = await upsertItems(database.db, sourceId, [makeItem({ key: 'a' }), makeItem({ key: 'b' })], now);
    await upsertItems(database.db, sourceId, [makeItem({ key: 'a', title: 'Corrected' }), makeItem({ key: 'c' })], now);
    const queued = await database.db
      .selectFrom('ungrouped_items')
      .innerJoin('items', 'items.id', 'ungrouped_items.item_id')
      .select('item_key')
      .orderBy('item_key')
      .execute();
    expect(queued.map((q) => q.item_key)).toEqual(['a', 'b', 'c']);
    expect(first.insertedIds).toHaveLength(2);
  });

  it('writes large polls in batches', async () => {
    const items = Array.from({ length: 1234 }, (_, i) => makeItem({ key: `k${i}` }));
    expect((await upsertItems(database.db, sourceId, items, now)).insertedIds).toHaveLength(1234);
    expect(await countItems(database.db, sourceId)).toBe(1234);
  });
});
