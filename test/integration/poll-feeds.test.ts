import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pollFeeds } from '../../jobs/poll-feeds.ts';
import { readFeed } from '../../src/ingest/read-feed.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { findRenderedFeed } from '../../src/store/rendered-feeds.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { testConfig, testContext, type TestContext } from '../helpers/context.ts';

let database: TestDatabase;
let server: FixtureServer;
let ctx: TestContext;
let clock = new Date('2026-11-24T00:00:00Z');
const advance = (minutes: number) => {
  clock = new Date(clock.getTime() + minutes * 60_000);
  ctx.setNow(clock);
};

const feed = (n: number) =>
  rssFeed(
    'Wire',
    Array.from({ length: n }, (_, i) => ({
      guid: `wire-${i}`,
      title: `North Korea story ${i}`,
      link: `https://wire.example/${i}`,
      description: `<p>Body ${i}</p>`,
    })),
  );

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
  clock = new Date('2026-11-24T00:00:00Z');
  ctx = pollContext(800);
});

/** A poll context at `clock`; a short timeout serves the hang-up tests. */
function pollContext(timeoutMs: number) {
  const context = testContext(database, testConfig({ polling: { timeoutMs, maxBytes: 64 * 1024, allowPrivateNetworks: true } }));
  context.setNow(clock);
  return context;
}

async function addSources(...paths: string[]) {
  await syncConfigSources(
    database.db,
    paths.map((p) => ({ url: server.url(p), topics: [] })),
    clock,
  );
}
const source = (path: string) => database.db.selectFrom('sources').selectAll().where('url', '=', server.url(path)).executeTakeFirstOrThrow();
const items = () => database.db.selectFrom('items').selectAll().orderBy('item_key').execute();

describe('poll job', () => {
  it('stores every item of a new feed once and records the source as healthy', async () => {
    server.route('/feed.xml', { body: feed(3) });
    await addSources('/feed.xml');
    const [result] = await pollFeeds(ctx);
    expect(result).toMatchObject({ outcome: 'stored', status: 200, newItems: 3, updatedItems: 0, errorCode: null });
    expect((await items()).map((i) => i.title)).toEqual(['North Korea story 0', 'North Korea story 1', 'North Korea story 2']);
    expect(await source('/feed.xml')).toMatchObject({
      last_status: 200,
      last_success_at: clock,
      error_code: null,
      consecutive_failures: 0,
      title: 'Wire',
      lease_owner: null,
    });
    expect((await source('/feed.xml')).next_poll_at.getTime()).toBeGreaterThan(clock.getTime());
  });

  it('sends the stored ETag and writes nothing but the poll time on 304', async () => {
    server.route('/feed.xml', { body: feed(2) });
    await addSources('/feed.xml');
    await pollFeeds(ctx);
    const before = await items();
    advance(60 * 25);
    const [result] = await pollFeeds(ctx);
    expect(result).toMatchObject({ outcome: 'not_modified', status: 304, newItems: 0 });
    expect(server.lastHeaders('/feed.xml')?.['if-none-match']).toBeDefined();
    expect(await items()).toEqual(before);
    expect((await source('/feed.xml')).last_polled_at).toEqual(clock);
  });

  it('records every 304 of a cycle as a healthy poll: past failure cleared, lease freed, validators kept, next poll set', async () => {
    const paths = Array.from({ length: 70 }, (_, i) => `/feed-${i}.xml`); // more than one batch of outcomes
    // 70 polls on a loaded machine can outlast 800 ms, and a timed-out poll is not the 304
    // this test is about.
    await ctx.close();
    ctx = pollContext(30_000);
    for (const path of paths) server.route(path, { body: feed(1) });
    await addSources(...paths);
    await pollFeeds(ctx);
    const etags = new Map((await database.db.selectFrom('sources').select(['id', 'etag']).execute()).map((s) => [s.id, s.etag]));
    await database.db.updateTable('sources').set({ error_code: 'http_server_error', error_message: 'HTTP 503', consecutive_failures: 2 }).execute();
    advance(60 * 25);
    const results = await pollFeeds(ctx);
    expect(results.map((r) => r.outcome)).toEqual(paths.map(() => 'not_modified'));
    const after = await database.db.selectFrom('sources').selectAll().execute();
    for (const row of after) {
      expect(row).toMatchObject({
        last_status: 304,
        last_polled_at: clock,
        last_success_at: clock,
        error_code: null,
        error_message: null,
        consecutive_failures: 0,
        lease_owner: null,
        lease_until: null,
      });
      expect(row.etag).toBe(etags.get(row.id));
      expect(row.next_poll_at.getTime()).toBeGreaterThan(clock.getTime());
    }
  });

  it('writes no item rows when an unchanged feed is served again without validators', async () => {
    server.route('/feed.xml', (_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed(2)));
    await addSources('/feed.xml');
    await pollFeeds(ctx);
    const before = await items();
    advance(60 * 25);
    expect((await pollFeeds(ctx))[0]).toMatchObject({ outcome: 'stored', newItems: 0, updatedItems: 0 });
    expect(await items()).toEqual(before);
  });

  it('updates a changed item in place and adds new ones', async () => {
    server.route('/feed.xml', { body: feed(2) });
    await addSources('/feed.xml');
    await pollFeeds(ctx);
    server.route('/feed.xml', { body: feed(3).replace('North Korea story 0', 'North Korea story 0 (updated)') });
    advance(60 * 25);
    expect((await pollFeeds(ctx))[0]).toMatchObject({ newItems: 1, updatedItems: 1 });
    expect((await items()).map((i) => i.title)).toEqual(['North Korea story 0 (updated)', 'North Korea story 1', 'North Korea story 2']);
  });

  it('derives nothing for the items a changed feed repeats: only the new and the edited are read in full', async () => {
    const unchangedCounts: number[] = [];
    const counting = testContext(database, testConfig({ polling: { allowPrivateNetworks: true } }), {
      readFeed: async (...args) => {
        const result = await readFeed(...args);
        unchangedCounts.push(result.features.filter((f) => f.unchanged).length);
        return result;
      },
    });
    counting.setNow(clock);
    try {
      server.route('/feed.xml', { body: feed(5) });
      await addSources('/feed.xml');
      await pollFeeds(counting);
      server.route('/feed.xml', { body: feed(6).replace('North Korea story 0', 'North Korea story 0 (updated)') });
      counting.setNow(new Date(clock.getTime() + 25 * 3_600_000));
      expect((await pollFeeds(counting))[0]).toMatchObject({ newItems: 1, updatedItems: 1 });
      // First poll: nothing stored. Second: stories 1–4 as they were; 0 edited and 5 new.
      expect(unchangedCounts).toEqual([0, 4]);
      expect((await items()).map((i) => i.title)).toContain('North Korea story 0 (updated)');
    } finally {
      await counting.close();
    }
  });

  it("reads the dates a feed writes without a zone in its source's time zone", async () => {
    server.route('/seoul.xml', {
      body: rssFeed('Seoul', [
        { guid: 'local', title: 'Local time', pubDate: 'Mon, 23 Nov 2026 09:00:00' },
        { guid: 'stated', title: 'Stated zone', pubDate: 'Mon, 23 Nov 2026 09:00:00 GMT' },
      ]),
    });
    await syncConfigSources(database.db, [{ url: server.url('/seoul.xml'), topics: [], timezone: 'Asia/Seoul' }], clock);
    await pollFeeds(ctx);
    const stored = new Map((await items()).map((i) => [i.title, i.feed_published_at?.toISOString()]));
    expect(stored.get('Local time')).toBe('2026-11-23T00:00:00.000Z');
    expect(stored.get('Stated zone')).toBe('2026-11-23T09:00:00.000Z');
  });

  it('follows a 301 and stores the new URL; a 302 leaves it alone', async () => {
    server.route('/moved', { body: '', status: 301, headers: { location: '/new-home.xml' } });
    server.route('/new-home.xml', { body: feed(1) });
    server.route('/temporary', { body: '', status: 302, headers: { location: '/elsewhere.xml' } });
    server.route('/elsewhere.xml', { body: feed(1).replace(/wire-/g, 'elsewhere-') });
    await addSources('/moved', '/temporary');
    await pollFeeds(ctx);
    const urls = (await database.db.selectFrom('sources').select('url').orderBy('url').execute()).map((s) => s.url);
    expect(urls).toEqual([server.url('/new-home.xml'), server.url('/temporary')]);
  });

  it('re-renders the topic feed when a source moves, though no item changed: entries name the new feed URL', async () => {
    server.route('/old.xml', { body: feed(1) });
    await addSources('/old.xml');
    await pollFeeds(ctx);
    const feedUrls = async () => {
      const json = JSON.parse((await findRenderedFeed(database.db, 'korea', 'feed', 'json'))!.body) as {
        items: Array<{ _tidings: { source: { feedUrl: string } } }>;
      };
      return json.items.map((item) => item._tidings.source.feedUrl);
    };
    expect(await feedUrls()).toEqual([server.url('/old.xml')]);
    server.route('/old.xml', { body: '', status: 301, headers: { location: '/new.xml' } });
    server.route('/new.xml', { body: feed(1) });
    advance(60 * 25);
    expect((await pollFeeds(ctx))[0]).toMatchObject({ newItems: 0, updatedItems: 0 });
    expect(await feedUrls()).toEqual([server.url('/new.xml')]);
  });

  it.each([
    [404, 'http_not_found'],
    [401, 'http_unauthorized'],
    [500, 'http_server_error'],
  ])('records HTTP %i as %s and backs off', async (status, code) => {
    server.route('/feed.xml', { body: 'nope', status, contentType: 'text/plain' });
    await addSources('/feed.xml');
    await pollFeeds(ctx);
    const row = await source('/feed.xml');
    expect(row).toMatchObject({ error_code: code, last_status: status, consecutive_failures: 1, enabled: true, last_success_at: null });
    expect(row.error_message).toContain(String(status));
    expect(row.next_poll_at.getTime()).toBeGreaterThan(clock.getTime());
  });

  it('counts consecutive failures and resets them on success', async () => {
    server.route('/feed.xml', { body: 'down', status: 503, contentType: 'text/plain' });
    await addSources('/feed.xml');
    await pollFeeds(ctx);
    advance(60 * 25);
    await pollFeeds(ctx);
    expect((await source('/feed.xml')).consecutive_failures).toBe(2);
    server.route('/feed.xml', { body: feed(1) });
    advance(60 * 24);
    await pollFeeds(ctx);
    expect(await source('/feed.xml')).toMatchObject({ consecutive_failures: 0, error_code: null, error_message: null });
  });

  it('disables a source that answers 410 Gone', async () => {
    server.route('/feed.xml', { body: 'gone', status: 410, contentType: 'text/plain' });
    await addSources('/feed.xml');
    await pollFeeds(ctx);
    expect(await source('/feed.xml')).toMatchObject({ enabled: false, error_code: 'http_gone' });
  });

  it('records a timeout when the server never answers, and hangs up', async () => {
    let hungUp = false;
    server.route('/slow.xml', (req) => req.socket.once('close', () => (hungUp = true)));
    await addSources('/slow.xml');
    const [result] = await pollFeeds(ctx);
    // Nothing but the poll's own deadline (polling.timeoutMs) could end this fetch.
    expect(result).toMatchObject({ outcome: 'failed', errorCode: 'timeout' });
    expect(await source('/slow.xml')).toMatchObject({ error_code: 'timeout', consecutive_failures: 1, lease_owner: null });
    await expect.poll(() => hungUp).toBe(true);
  });

  it('records too_large for a body over maxBytes', async () => {
    server.route('/huge.xml', { body: feed(2).replace('</channel>', `<!-- ${'x'.repeat(100 * 1024)} --></channel>`) });
    await addSources('/huge.xml');
    await pollFeeds(ctx);
    expect((await source('/huge.xml')).error_code).toBe('too_large');
  });

  it('records not_a_feed for an HTML page, naming the feeds it advertises', async () => {
    server.route('/page', {
      contentType: 'text/html; charset=utf-8',
      body: '<!doctype html><html><head><title>News</title><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head><body>Hi</body></html>',
    });
    await addSources('/page');
    await pollFeeds(ctx);
    const row = await source('/page');
    expect(row.error_code).toBe('not_a_feed');
    expect(row.error_message).toContain(server.url('/rss.xml'));
  });

  it('records malformed_xml for a document broken beyond recovery', async () => {
    // Mismatched or unclosed tags are recovered, as feed readers do; a broken tag is not.
    server.route('/broken.xml', { body: '<?xml version="1.0"?><rss version="2.0"><chan' });
    await addSources('/broken.xml');
    await pollFeeds(ctx);
    expect((await source('/broken.xml')).error_code).toBe('malformed_xml');
  });

  it('decodes a feed whose server sends the wrong charset', async () => {
    const bytes = readFileSync(new URL('../fixtures/corpus/feeds/synthetic/euckr-header-says-utf8.xml', import.meta.url));
    server.route('/euckr.xml', { body: bytes, contentType: 'application/xml; charset=utf-8' });
    await addSources('/euckr.xml');
    await pollFeeds(ctx);
    const titles = (await items()).map((i) => i.title);
    expect(titles.length).toBeGreaterThan(0);
    expect(titles.every((t) => /[\uAC00-\uD7A3]/.test(t) && !t.includes('\uFFFD'))).toBe(true);
  });

  it('keeps polling the other sources when one fails', async () => {
    server.route('/good.xml', { body: feed(2) });
    server.route('/bad.xml', { body: 'oops', status: 500, contentType: 'text/plain' });
    await addSources('/good.xml', '/bad.xml');
    const results = await pollFeeds(ctx);
    expect(results.map((r) => r.outcome).sort()).toEqual(['failed', 'stored']);
    expect(await items()).toHaveLength(2);
  });

  it('polls only the named source with sourceUrl, even when it is not due', async () => {
    server.route('/a.xml', { body: feed(1) });
    server.route('/b.xml', { body: feed(1) });
    await addSources('/a.xml', '/b.xml');
    await pollFeeds(ctx);
    advance(1);
    const results = await pollFeeds(ctx, { sourceUrl: server.url('/b.xml') });
    expect(results.map((r) => r.url)).toEqual([server.url('/b.xml')]);
    expect(server.hits('/a.xml')).toBe(1);
    expect(server.hits('/b.xml')).toBe(2);
  });

  it('never fetches a source twice when two pollers run at once', async () => {
    const paths = Array.from({ length: 8 }, (_, i) => `/f${i}.xml`);
    for (const p of paths) server.route(p, { body: feed(1).replace(/wire-/g, `${p}-`) });
    await addSources(...paths);
    const other = { ...ctx, owner: 'other', claims: new Set<number>() };
    const [a, b] = await Promise.all([pollFeeds(ctx), pollFeeds(other)]);
    expect(a.length + b.length).toBe(8);
    expect(paths.map((p) => server.hits(p))).toEqual(paths.map(() => 1));
  });

  it('hands claimed sources back when the poll is aborted', async () => {
    server.route('/slow.xml', () => {});
    await addSources('/slow.xml');
    const controller = new AbortController();
    const polling = pollFeeds(ctx, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    expect((await polling)[0]).toMatchObject({ outcome: 'released' });
    expect(await source('/slow.xml')).toMatchObject({ lease_owner: null, lease_until: null, consecutive_failures: 0, error_code: null });
  });
});

describe('poll intervals: a 304 keeps what the last 200 established', () => {
  /** Minutes from the clock to the source's next poll. */
  const delayMinutes = async (path: string) => ((await source(path)).next_poll_at.getTime() - clock.getTime()) / 60_000;
  /** Moves the clock to the source's next poll. */
  const untilDue = async (path: string) => {
    clock = (await source(path)).next_poll_at;
    ctx.setNow(clock);
  };
  const daysAgo = (n: number) => new Date(clock.getTime() - n * 86_400_000);
  /** Four items in the last week: half the mean gap is 21 h. */
  const fourThisWeek = () =>
    rssFeed(
      'Weekly',
      [1, 2, 3, 4].map((n) => ({ guid: `weekly-${n}`, title: `Story ${n}`, pubDate: daysAgo(n).toUTCString() })),
    );

  it('an RSS <ttl> of 180 minutes holds after a 304 as after the 200', async () => {
    // Undated items: no publishing rate, so the ttl alone sets the interval.
    const body = feed(1)
      .replace(/<pubDate>.*<\/pubDate>/g, '')
      .replace('<description>Wire</description>', '<description>Wire</description><ttl>180</ttl>');
    server.route('/ttl.xml', { body });
    await addSources('/ttl.xml');
    expect((await pollFeeds(ctx))[0]!.outcome).toBe('stored');
    expect(await delayMinutes('/ttl.xml')).toBeGreaterThanOrEqual(180);
    expect(await delayMinutes('/ttl.xml')).toBeLessThanOrEqual(198);
    for (let poll = 0; poll < 2; poll++) {
      await untilDue('/ttl.xml');
      expect((await pollFeeds(ctx))[0]!.outcome).toBe('not_modified');
      expect(await delayMinutes('/ttl.xml')).toBeGreaterThanOrEqual(180);
      expect(await delayMinutes('/ttl.xml')).toBeLessThanOrEqual(198);
    }
  });

  it('an interval set by the publishing rate (21 h) holds after a 304', async () => {
    server.route('/weekly.xml', { body: fourThisWeek() });
    await addSources('/weekly.xml');
    await pollFeeds(ctx);
    expect(await delayMinutes('/weekly.xml')).toBeGreaterThanOrEqual(21 * 60 * 0.9);
    expect(await delayMinutes('/weekly.xml')).toBeLessThanOrEqual(21 * 60 * 1.1);
    await untilDue('/weekly.xml');
    expect((await pollFeeds(ctx))[0]!.outcome).toBe('not_modified');
    expect(await delayMinutes('/weekly.xml')).toBeGreaterThanOrEqual(21 * 60 * 0.9);
    expect(await delayMinutes('/weekly.xml')).toBeLessThanOrEqual(21 * 60 * 1.1);
  });

  it('judges the publishing rate of Atom entries that carry only <updated>', async () => {
    const entries = [1, 2, 3, 4]
      .map(
        (n) =>
          `<entry><id>urn:x:${n}</id><title>Story ${n}</title><link href="https://atom.example/${n}"/><updated>${daysAgo(n).toISOString()}</updated></entry>`,
      )
      .join('');
    server.route('/atom.xml', {
      contentType: 'application/atom+xml',
      body: `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id><title>Atom</title><updated>${clock.toISOString()}</updated>${entries}</feed>`,
    });
    await addSources('/atom.xml');
    expect((await pollFeeds(ctx))[0]).toMatchObject({ outcome: 'stored', newItems: 4 });
    expect(await delayMinutes('/atom.xml')).toBeGreaterThanOrEqual(21 * 60 * 0.9);
    expect(await delayMinutes('/atom.xml')).toBeLessThanOrEqual(21 * 60 * 1.1);
  });

  it("a 304's own Cache-Control is a lower bound; an admin-set interval replaces the rate", async () => {
    const body = fourThisWeek();
    let maxAge = 0;
    server.route('/weekly.xml', (req, res) => {
      if (req.headers['if-none-match'] === '"w1"') res.writeHead(304, { etag: '"w1"', 'cache-control': `max-age=${maxAge}` }).end();
      else res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"w1"' }).end(body);
    });
    await addSources('/weekly.xml');
    await pollFeeds(ctx);
    await database.db
      .updateTable('sources')
      .set({ poll_interval_seconds: 2 * 3600 })
      .execute();
    await untilDue('/weekly.xml');
    expect((await pollFeeds(ctx))[0]!.outcome).toBe('not_modified');
    expect(await delayMinutes('/weekly.xml')).toBeGreaterThanOrEqual(120 * 0.9);
    expect(await delayMinutes('/weekly.xml')).toBeLessThanOrEqual(120 * 1.1);
    maxAge = 4 * 3600;
    await untilDue('/weekly.xml');
    expect((await pollFeeds(ctx))[0]!.outcome).toBe('not_modified');
    expect(await delayMinutes('/weekly.xml')).toBe(240);
  });
});

describe('a feed that permanently redirects to another source', () => {
  // Titles no topic rule matches: an item is in a topic only through its source's topics.
  const weather = (keys: string[]) =>
    rssFeed(
      'Weather',
      keys.map((k) => ({ guid: k, title: `Weather report ${k}`, link: `https://weather.example/${k}` })),
    );
  const row = (path: string) => database.db.selectFrom('sources').selectAll().where('url', '=', server.url(path)).executeTakeFirstOrThrow();
  beforeEach(async () => {
    await database.db.deleteFrom('stories').execute();
  });

  /** Two sources polled once, then /old moves to /new; /new is not due in the next cycle. */
  async function movedOnto(oldBody: string, newBody: string) {
    server.route('/old.xml', { body: oldBody });
    server.route('/new.xml', { body: newBody });
    await syncConfigSources(
      database.db,
      [
        { url: server.url('/old.xml'), topics: ['korea'] },
        { url: server.url('/new.xml'), topics: [] },
      ],
      clock,
    );
    await pollFeeds(ctx);
    server.route('/old.xml', { body: '', status: 301, headers: { location: '/new.xml' } });
    advance(24 * 60 + 1);
    await database.db
      .updateTable('sources')
      .set({ next_poll_at: new Date(clock.getTime() + 86_400_000) })
      .where('url', '=', server.url('/new.xml'))
      .execute();
  }

  async function expectMerged() {
    const [from, into] = [await row('/old.xml'), await row('/new.xml')];
    expect(from).toMatchObject({ enabled: false, merged_into_id: into.id, url: server.url('/old.xml') });
    expect(from.disabled_reason).toBe(`merged into source #${into.id} (${server.url('/new.xml')}): its feed permanently redirects there`);
    expect(into).toMatchObject({ enabled: true, topics: ['korea'] });
    const stored = await database.db.selectFrom('items').select(['source_id', 'item_key', 'topics']).orderBy('item_key').execute();
    expect(stored.every((i) => i.source_id === into.id && i.topics.includes('korea'))).toBe(true);
    // One outlet per story: the feed is no longer listed twice.
    const stories = await database.db.selectFrom('stories').select(['source_count', 'representative_item_id']).execute();
    expect(stories.every((s) => s.source_count === 1 && s.representative_item_id !== null)).toBe(true);
    return stored.map((i) => i.item_key);
  }

  async function expectOnePollPerCycle() {
    server.route('/old.xml', { body: '', status: 301, headers: { location: '/new.xml' } });
    const [oldHits, newHits] = [server.hits('/old.xml'), server.hits('/new.xml')];
    advance(2 * 24 * 60);
    const results = await pollFeeds(ctx);
    expect(results.map((r) => r.url)).toEqual([server.url('/new.xml')]);
    expect([server.hits('/old.xml') - oldHits, server.hits('/new.xml') - newHits]).toEqual([0, 1]);
  }

  it('on a 200, merges the two: topics joined, items kept once, re-rendered topics reported, one poll per cycle', async () => {
    await movedOnto(weather(['w1', 'w2', 'legacy']), weather(['w1', 'w2', 'w3']));
    const [result] = await pollFeeds(ctx);
    expect(result).toMatchObject({ url: server.url('/old.xml'), outcome: 'stored', status: 200 });
    expect(result!.changedTopics).toContain('korea');
    expect(await expectMerged()).toEqual(['legacy', 'w1', 'w2', 'w3']);
    await expectOnePollPerCycle();
  });

  it('merges within the cycle when the other source is polled in the same cycle', async () => {
    await movedOnto(weather(['w1', 'w2']), weather(['w1', 'w2']));
    // Both due: /new answers 304 and keeps its lease until the cycle records it.
    await database.db.updateTable('sources').set({ next_poll_at: clock }).where('url', '=', server.url('/new.xml')).execute();
    const results = await pollFeeds(ctx);
    expect(results.map((r) => r.url).sort()).toEqual([server.url('/new.xml'), server.url('/old.xml')]);
    expect(await expectMerged()).toEqual(['w1', 'w2']);
    expect(results.find((r) => r.url === server.url('/old.xml'))!.changedTopics).toContain('korea');
  });

  it('on a 304 through the redirect, merges the two as well', async () => {
    await movedOnto(weather(['w1', 'w2']), weather(['w1', 'w2']));
    const [result] = await pollFeeds(ctx);
    expect(result).toMatchObject({ url: server.url('/old.xml'), outcome: 'not_modified', status: 304 });
    expect(result!.changedTopics).toContain('korea');
    expect(await expectMerged()).toEqual(['w1', 'w2']);
    await expectOnePollPerCycle();
  });
});
