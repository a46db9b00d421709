import { beforeEach, describe, expect, it } from 'vitest';
import { pruneItems } from '../../jobs/prune-items.ts';
import { upsertItems } from '../../src/store/items.ts';
import { publishDigest } from '../../src/store/digests.ts';
import { POLL_EVENTS_KEPT, recordPollEvents } from '../../src/store/poll-events.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { CANONICAL_URL_ONLY } from '../../src/dedupe/index.ts';
import { groupPendingItems } from '../../src/store/story-assignment.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeItem } from '../helpers/items.ts';
import { testConfig, testContext } from '../helpers/context.ts';

const database = useTestDatabase();
let source: number;
const now = new Date('2026-11-24T00:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);

beforeEach(async () => {
  await syncConfigSources(database.db, [{ url: 'https://a.example/feed', topics: [] }], daysAgo(200));
  source = (await database.db.selectFrom('sources').select('id').executeTakeFirstOrThrow()).id;
});

async function store(key: string, published: Date): Promise<number> {
  await upsertItems(database.db, source, [makeItem({ key, publishedAt: published, topics: ['korea'] })], published);
  await groupPendingItems(database.db, published, CANONICAL_URL_ONLY);
  return (await database.db.selectFrom('items').select('story_id').where('item_key', '=', key).executeTakeFirstOrThrow()).story_id!;
}

const keys = async () => (await database.db.selectFrom('items').select('item_key').orderBy('item_key').execute()).map((r) => r.item_key);
const ctx = () => {
  const context = testContext(database, testConfig({ retention: { days: 90 } }));
  context.setNow(now);
  return context;
};

describe('pruning old items', () => {
  it('deletes items older than the retention window, with their stories and topics', async () => {
    await store('old', daysAgo(120));
    await store('recent', daysAgo(10));
    const result = await pruneItems(ctx());
    expect(result).toEqual({ deleted: 1, topics: new Set(['korea']) });
    expect(await keys()).toEqual(['recent']);
    expect(await database.db.selectFrom('stories').select('id').execute()).toHaveLength(1);
    expect(await database.db.selectFrom('story_topics').select('story_id').execute()).toHaveLength(1);
  });

  it('keeps items a published digest links to', async () => {
    const story = await store('in-digest', daysAgo(120));
    await store('not-in-digest', daysAgo(121));
    await publishDigest(database.db, {
      topic: 'korea',
      periodStart: daysAgo(121),
      periodEnd: daysAgo(120),
      periodDate: '2026-07-27',
      title: 't',
      html: 'h',
      text: 't',
      storyIds: [story],
      createdAt: daysAgo(120),
    });
    await pruneItems(ctx());
    expect(await keys()).toEqual(['in-digest']);
  });

  it('works through more items than one batch', async () => {
    const items = Array.from({ length: 2500 }, (_, i) => makeItem({ key: `k${i}`, publishedAt: daysAgo(100) }));
    await upsertItems(database.db, source, items, daysAgo(100));
    expect((await pruneItems(ctx())).deleted).toBe(2500);
    expect(await keys()).toEqual([]);
  });

  it("keeps each source's newest poll events only", async () => {
    for (let i = 0; i < POLL_EVENTS_KEPT + 10; i++) {
      await recordPollEvents(database.db, [
        {
          sourceId: source,
          polledAt: daysAgo(1),
          outcome: 'not_modified',
          status: 304,
          errorCode: null,
          errorMessage: null,
          newItems: 0,
          updatedItems: 0,
          durationMs: i,
        },
      ]);
    }
    await pruneItems(ctx());
    const kept = await database.db.selectFrom('poll_events').select('duration_ms').orderBy('id').execute();
    expect(kept).toHaveLength(POLL_EVENTS_KEPT);
    expect(kept[0]!.duration_ms).toBe(10);
  });
});
