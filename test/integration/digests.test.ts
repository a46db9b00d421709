import { beforeEach, describe, expect, it } from 'vitest';
import { parseFeedsConfig } from '../../src/config/load-config.ts';
import { buildDigest, buildDueDigests, periodForDate, type DigestContext, type DigestTopic } from '../../jobs/build-digests.ts';
import { upsertItems } from '../../src/store/items.ts';
import { recentDigests } from '../../src/store/digests.ts';
import { findRenderedFeed } from '../../src/store/rendered-feeds.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { CANONICAL_URL_ONLY } from '../../src/dedupe/index.ts';
import { groupPendingItems } from '../../src/store/story-assignment.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeItem } from '../helpers/items.ts';
import { testConfig, testContext } from '../helpers/context.ts';

const database = useTestDatabase();
let now: Date;
let ctx: DigestContext;
let sources: number[];
const topic: DigestTopic = {
  slug: 'korea',
  title: 'Korea',
  description: '',
  digest: parseFeedsConfig({ topics: [{ slug: 'korea', title: 'Korea', digest: { time: '07:00', timezone: 'Asia/Seoul', maxStories: 3 } }] }, 'x').topics[0]!
    .digest,
};

beforeEach(async () => {
  await syncConfigSources(
    database.db,
    ['a', 'b', 'c'].map((s) => ({ url: `https://${s}.example/feed`, title: `Outlet ${s.toUpperCase()}`, topics: [] })),
    new Date('2026-11-01T00:00:00Z'),
  );
  sources = (await database.db.selectFrom('sources').select('id').orderBy('url').execute()).map((s) => s.id);
  // 08:00 KST on Tuesday 24 November 2026: the period [23 Nov 07:00, 24 Nov 07:00) KST has ended.
  now = new Date('2026-11-23T23:00:00Z');
  ctx = { ...testContext(database, testConfig(), { publicUrl: 'http://feeds.test' }), now: () => now };
});

/** Stores one story carried by `outlets` sources, published at `published`, first seen at `seen`. */
async function story(key: string, published: string, outlets = 1, seen = published, title = `Story ${key}`) {
  const url = `https://news.example/${key}`;
  for (let i = 0; i < outlets; i++) {
    await upsertItems(
      database.db,
      sources[i]!,
      [
        makeItem({
          key: `${key}-${i}`,
          url,
          canonicalUrl: url,
          title,
          summary: `Summary of ${key}. More text.`,
          publishedAt: new Date(published),
          topics: ['korea'],
        }),
      ],
      new Date(seen),
    );
    await groupPendingItems(database.db, new Date(seen), CANONICAL_URL_ONLY);
  }
}

describe('digests', () => {
  it("publishes the period's stories, most widely reported first, titled with the period in local time", async () => {
    await story('widely', '2026-11-23T01:00:00Z', 3);
    await story('recent', '2026-11-23T20:00:00Z', 1);
    await story('older', '2026-11-23T00:00:00Z', 1);
    await story('before', '2026-11-22T21:59:00Z', 3); // 06:59 KST on the 23rd: the previous period
    await story('after', '2026-11-23T22:30:00Z', 3); // 07:30 KST on the 24th: the next period
    const [built] = await buildDueDigests(ctx, { topic });
    expect(built).toMatchObject({ title: 'Korea daily digest: Monday 23 November, 07:00 – Tuesday 24 November, 07:00 KST', stories: 3, published: true });
    const [digest] = await recentDigests(database.db, 'korea', 10);
    expect(digest).toMatchObject({ period_date: '2026-11-24', period_start: new Date('2026-11-22T22:00:00Z'), period_end: new Date('2026-11-23T22:00:00Z') });
    expect(digest!.text.split('\n').filter((l) => /^\d+\. /.test(l))).toEqual(['1. Story widely', '2. Story recent', '3. Story older']);
    expect(digest!.html).toContain(
      '<ol><li><h3><a href="https://news.example/widely">Story widely</a></h3><p>Summary of widely.</p><p><small>Reported by Outlet A, Outlet B, Outlet C</small></p></li>',
    );
  });

  it('escapes hostile headlines', async () => {
    await story('x', '2026-11-23T01:00:00Z', 1, '2026-11-23T01:00:00Z', '<script>alert(1)</script> headline');
    await buildDueDigests(ctx, { topic });
    const [digest] = await recentDigests(database.db, 'korea', 1);
    expect(digest!.html).not.toContain('<script');
    expect(digest!.html).toContain('&lt;script&gt;');
  });

  it('is idempotent: a second run publishes nothing and changes nothing', async () => {
    await story('one', '2026-11-23T01:00:00Z');
    await buildDueDigests(ctx, { topic });
    const before = await recentDigests(database.db, 'korea', 10);
    await story('late', '2026-11-23T02:00:00Z');
    expect(await buildDueDigests(ctx, { topic })).toEqual([]);
    expect(await recentDigests(database.db, 'korea', 10)).toEqual(before);
  });

  it('publishes one digest when two builders run at once', async () => {
    await story('one', '2026-11-23T01:00:00Z');
    const results = await Promise.all([buildDueDigests(ctx, { topic }), buildDueDigests({ ...ctx }, { topic })]);
    expect(results.flat()).toHaveLength(1);
    expect(await database.db.selectFrom('digests').select('id').execute()).toHaveLength(1);
  });

  it('publishes no entry for an empty period, and does not reconsider it', async () => {
    expect(await buildDueDigests(ctx, { topic })).toEqual([]);
    expect(await recentDigests(database.db, 'korea', 10)).toEqual([]);
    await story('late-arrival', '2026-11-23T01:00:00Z');
    expect(await buildDueDigests(ctx, { topic })).toEqual([]);
  });

  it('catches up on the periods missed while down', async () => {
    await story('d21', '2026-11-20T10:00:00Z'); // 19:00 KST on the 20th: the period ending on the 21st
    now = new Date('2026-11-20T23:00:00Z'); // 08:00 KST on the 21st: builds the 21st
    expect((await buildDueDigests(ctx, { topic })).map((d) => d.period.date)).toEqual(['2026-11-21']);
    await story('d22', '2026-11-21T10:00:00Z');
    await story('d24', '2026-11-23T10:00:00Z');
    now = new Date('2026-11-23T23:00:00Z'); // back up three days later
    const built = await buildDueDigests(ctx, { topic });
    expect(built.map((d) => d.period.date)).toEqual(['2026-11-22', '2026-11-24']); // the 23rd was empty
    expect((await recentDigests(database.db, 'korea', 10)).map((d) => d.period_date)).toEqual(['2026-11-24', '2026-11-22', '2026-11-21']);
  });

  it('starts a new topic with the latest period only', async () => {
    await story('old', '2026-11-20T01:00:00Z');
    await story('new', '2026-11-23T01:00:00Z');
    expect((await buildDueDigests(ctx, { topic })).map((d) => d.period.date)).toEqual(['2026-11-24']);
  });

  it("keeps a newly added feed's old items out of today's digest", async () => {
    await story('archive', '2026-11-10T01:00:00Z', 1, '2026-11-23T20:00:00Z');
    expect(await buildDueDigests(ctx, { topic })).toEqual([]);
  });

  it('places an item dated in the future at the time it was first seen', async () => {
    await story('future', '2026-12-25T00:00:00Z', 1, '2026-11-23T05:00:00Z');
    expect((await buildDueDigests(ctx, { topic }))[0]?.stories).toBe(1);
  });

  it('rebuilds a published digest only when forced', async () => {
    await story('one', '2026-11-23T01:00:00Z');
    await buildDueDigests(ctx, { topic });
    await story('two', '2026-11-23T02:00:00Z');
    const period = periodForDate(topic, '2026-11-24');
    expect((await buildDigest(ctx, { topic, period })).published).toBe(false);
    expect((await buildDigest(ctx, { topic, period, replace: true })).published).toBe(true);
    expect((await recentDigests(database.db, 'korea', 10))[0]!.story_ids).toHaveLength(2);
  });

  it('renders the digest feed when it publishes, newest digest first, with stable ids and permalinks', async () => {
    await story('one', '2026-11-22T01:00:00Z');
    now = new Date('2026-11-22T23:00:00Z');
    await buildDueDigests(ctx, { topic });
    await story('two', '2026-11-23T01:00:00Z');
    now = new Date('2026-11-23T23:00:00Z');
    await buildDueDigests(ctx, { topic });
    const json = JSON.parse((await findRenderedFeed(database.db, 'korea', 'digest', 'json'))!.body);
    expect(json.items.map((i: { title: string }) => i.title)).toEqual([
      'Korea daily digest: Monday 23 November, 07:00 – Tuesday 24 November, 07:00 KST',
      'Korea daily digest: Sunday 22 November, 07:00 – Monday 23 November, 07:00 KST',
    ]);
    expect(json.items[0].url).toBe('http://feeds.test/topics/korea/digest/2026-11-24');
    expect(json.items[0].id).toMatch(/^urn:uuid:/);
  });
});
