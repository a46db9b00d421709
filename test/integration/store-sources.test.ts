import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Source } from '../../src/db/schema.ts';
import { followPermanentRedirect, type ClassifyStoredItem } from '../../src/store/source-merge.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { DISABLED_REASONS } from '../../src/store/disabled-reasons.ts';
import { recordNotModified, recordPollFailure, recordPollSuccess } from '../../src/store/poll-outcomes.ts';
import { updateSource } from '../../src/store/source-admin.ts';
import { claimDueSources, releaseLease } from '../../src/store/source-claims.ts';
import { sourcesByUrl } from '../../src/store/source-reads.ts';
import { upsertItems } from '../../src/store/items.ts';
import { CANONICAL_URL_ONLY } from '../../src/dedupe/index.ts';
import { groupPendingItems } from '../../src/store/story-assignment.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { makeItem } from '../helpers/items.ts';

let database: TestDatabase;
const now = new Date('2026-11-24T00:00:00Z');
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
const A = 'https://a.example/feed';
const B = 'https://b.example/feed';
const C = 'https://c.example/feed';

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});
beforeEach(async () => {
  await database.db.deleteFrom('sources').execute();
});

const sources = () => database.db.selectFrom('sources').selectAll().orderBy('url').execute();

describe('syncConfigSources', () => {
  it('adds config sources as due, with origin config', async () => {
    expect(
      await syncConfigSources(
        database.db,
        [
          { url: A, title: 'A', topics: ['korea'] },
          { url: B, topics: [] },
        ],
        now,
      ),
    ).toEqual({ added: 2, updated: 0, disabled: 0 });
    expect(await sources()).toMatchObject([
      { url: A, title: 'A', origin: 'config', topics: ['korea'], enabled: true, next_poll_at: now },
      { url: B, title: null, origin: 'config', topics: [], enabled: true },
    ]);
  });

  it('updates topics of existing sources', async () => {
    await syncConfigSources(database.db, [{ url: A, topics: [] }], now);
    expect(await syncConfigSources(database.db, [{ url: A, topics: ['korea'] }], now)).toEqual({ added: 0, updated: 1, disabled: 0 });
    expect((await sources())[0]!.topics).toEqual(['korea']);
  });

  it('disables a source removed from the file, keeping its items, and re-enables it when it returns', async () => {
    await syncConfigSources(
      database.db,
      [
        { url: A, topics: [] },
        { url: B, topics: [] },
      ],
      now,
    );
    const a = (await sources())[0]!;
    await upsertItems(database.db, a.id, [makeItem({ key: 'x' })], now);
    expect((await syncConfigSources(database.db, [{ url: B, topics: [] }], now)).disabled).toBe(1);
    expect((await sources())[0]).toMatchObject({ url: A, enabled: false, disabled_reason: DISABLED_REASONS.removedFromConfig });
    expect(await database.db.selectFrom('items').select('id').where('source_id', '=', a.id).execute()).toHaveLength(1);
    await syncConfigSources(
      database.db,
      [
        { url: A, topics: [] },
        { url: B, topics: [] },
      ],
      now,
    );
    expect((await sources())[0]).toMatchObject({ url: A, enabled: true, disabled_reason: null });
  });

  it('does not re-enable a source disabled for another reason', async () => {
    await syncConfigSources(database.db, [{ url: A, topics: [] }], now);
    await database.db.updateTable('sources').set({ enabled: false, disabled_reason: DISABLED_REASONS.gone }).execute();
    await syncConfigSources(database.db, [{ url: A, topics: [] }], now);
    expect((await sources())[0]).toMatchObject({ enabled: false, disabled_reason: DISABLED_REASONS.gone });
  });

  it('draws no ids at a start with an unchanged config: the next source added gets the next id', async () => {
    const config = [
      { url: A, title: 'A', topics: ['korea'], priority: 2 },
      { url: B, topics: [] },
    ];
    await syncConfigSources(database.db, config, now);
    expect(await syncConfigSources(database.db, config, now)).toEqual({ added: 0, updated: 2, disabled: 0 });
    await syncConfigSources(database.db, config, now);
    const max = Math.max(...(await sources()).map((s) => s.id));
    expect(await syncConfigSources(database.db, [...config, { url: C, topics: [] }], now)).toEqual({ added: 1, updated: 2, disabled: 0 });
    expect((await sources()).find((s) => s.url === C)!.id).toBe(max + 1);
  });

  it('lets the file win for title, topics, priority and near-duplicates, and keeps a title it does not give', async () => {
    await syncConfigSources(database.db, [{ url: A, title: 'A', topics: ['korea'], priority: 2, nearDuplicates: false }], now);
    await database.db
      .updateTable('sources')
      .set({ title: 'Admin title', topics: ['other'], priority: 5, near_duplicates: true })
      .execute();
    await syncConfigSources(database.db, [{ url: A, title: 'A', topics: ['korea'], priority: 2, nearDuplicates: false }], now);
    expect((await sources())[0]).toMatchObject({ title: 'A', topics: ['korea'], priority: 2, near_duplicates: false });
    await syncConfigSources(database.db, [{ url: A, topics: [] }], now);
    expect((await sources())[0]).toMatchObject({ title: 'A', topics: [], priority: 0, near_duplicates: true });
  });

  it('stores the user name, password variable and origin of a source (never a password), and clears them with the file', async () => {
    const auth = { username: 'reader', passwordEnv: 'A_PASSWORD' };
    await syncConfigSources(database.db, [{ url: 'https://a.example:8443/feed', topics: [], auth }], now);
    expect((await sources())[0]).toMatchObject({ auth_username: 'reader', auth_password_env: 'A_PASSWORD', auth_origin: 'https://a.example:8443' });
    await syncConfigSources(database.db, [{ url: 'https://a.example:8443/feed', topics: [] }], now);
    expect((await sources())[0]).toMatchObject({ auth_username: null, auth_password_env: null, auth_origin: null });
  });

  it('keeps a source an admin paused paused', async () => {
    await syncConfigSources(database.db, [{ url: A, topics: [] }], now);
    await database.db.updateTable('sources').set({ enabled: false, disabled_reason: DISABLED_REASONS.paused }).execute();
    await syncConfigSources(database.db, [{ url: A, topics: [] }], now);
    expect((await sources())[0]).toMatchObject({ enabled: false, disabled_reason: DISABLED_REASONS.paused });
  });

  it('leaves admin sources alone', async () => {
    await database.db.insertInto('sources').values({ url: B, origin: 'admin' }).execute();
    await syncConfigSources(database.db, [{ url: A, topics: [] }], now);
    expect((await sources())[1]).toMatchObject({ url: B, origin: 'admin', enabled: true });
  });
});

describe('claimDueSources', () => {
  beforeEach(async () => {
    await syncConfigSources(
      database.db,
      [
        { url: A, topics: [] },
        { url: B, topics: [] },
      ],
      now,
    );
  });
  const claim = (owner: string, when = now, url?: string) => claimDueSources(database.db, { owner, now: when, leaseSeconds: 300, limit: 10, url });

  it('claims due sources once: a second poller gets none while the lease holds', async () => {
    expect((await claim('one')).map((s) => s.url)).toEqual([A, B]);
    expect(await claim('two')).toEqual([]);
  });

  it('lets another poller take over once a lease expires', async () => {
    await claim('dead');
    expect((await claim('two', at(301))).map((s) => s.lease_owner)).toEqual(['two', 'two']);
  });

  it('skips sources that are not yet due or are disabled', async () => {
    await database.db
      .updateTable('sources')
      .set({ next_poll_at: at(600) })
      .where('url', '=', A)
      .execute();
    await database.db.updateTable('sources').set({ enabled: false }).where('url', '=', B).execute();
    expect(await claim('one')).toEqual([]);
  });

  it('claims one named source even when it is not due', async () => {
    await database.db
      .updateTable('sources')
      .set({ next_poll_at: at(600) })
      .execute();
    expect((await claim('one', now, B)).map((s) => s.url)).toEqual([B]);
  });

  it('releases a lease only for its owner', async () => {
    const [a] = await claim('one');
    await releaseLease(database.db, a!.id, 'someone-else');
    expect(await claim('two', now, A)).toEqual([]);
    await releaseLease(database.db, a!.id, 'one');
    expect(await claim('two', now, A)).toHaveLength(1);
  });
});

describe('recording poll outcomes', () => {
  let id: number;
  beforeEach(async () => {
    await syncConfigSources(
      database.db,
      [
        { url: A, topics: [] },
        { url: B, topics: [] },
      ],
      now,
    );
    id = (await sources())[0]!.id;
  });

  it('records a failure with its code, message and backoff, counting consecutive failures', async () => {
    for (const n of [1, 2]) {
      await recordPollFailure(database.db, id, { now, nextPollAt: at(600 * n), status: 500, code: 'http_server_error', message: 'HTTP 500' });
    }
    expect((await sources())[0]).toMatchObject({
      error_code: 'http_server_error',
      error_message: 'HTTP 500',
      consecutive_failures: 2,
      last_status: 500,
      next_poll_at: at(1200),
      last_success_at: null,
    });
  });

  it('clears the error and resets failures on success, keeping a configured title', async () => {
    await syncConfigSources(
      database.db,
      [
        { url: A, title: 'Configured', topics: [] },
        { url: B, topics: [] },
      ],
      now,
    );
    await recordPollFailure(database.db, id, { now, nextPollAt: at(600), status: null, code: 'timeout', message: 'timed out' });
    await recordPollSuccess(database.db, id, {
      now: at(700),
      nextPollAt: at(1300),
      status: 200,
      etag: '"v1"',
      lastModified: null,
      title: 'Feed title',
      siteUrl: 'https://a.example/',
    });
    expect((await sources())[0]).toMatchObject({
      title: 'Configured',
      site_url: 'https://a.example/',
      etag: '"v1"',
      error_code: null,
      consecutive_failures: 0,
      last_success_at: at(700),
      lease_owner: null,
    });
  });

  it('stores what a 200 established for the 304s after it; a 304 leaves it', async () => {
    await recordPollSuccess(database.db, id, {
      now,
      nextPollAt: at(75600),
      status: 200,
      etag: '"v1"',
      lastModified: null,
      established: { rateSeconds: 75600, hintSeconds: 10800 },
    });
    await recordNotModified(database.db, [{ sourceId: id, now: at(75600), nextPollAt: at(151200) }]);
    await recordPollSuccess(database.db, id, { now: at(151200), nextPollAt: at(226800), status: 304, etag: '"v1"', lastModified: null });
    expect((await sources())[0]).toMatchObject({ rate_interval_seconds: 75600, hint_interval_seconds: 10800, last_status: 304, next_poll_at: at(226800) });
  });

  it('stores when a 200 saw the newest item and the usual gap; a 200 without one and a 304 leave them', async () => {
    const rhythm = { newestItemAt: at(-3600), gapSeconds: 7200 };
    await recordPollSuccess(database.db, id, { now, nextPollAt: at(600), status: 200, etag: null, lastModified: null, rhythm });
    await recordPollSuccess(database.db, id, { now: at(600), nextPollAt: at(1200), status: 200, etag: null, lastModified: null });
    await recordNotModified(database.db, [{ sourceId: id, now: at(1200), nextPollAt: at(1800) }]);
    expect((await sources())[0]).toMatchObject({ newest_item_at: at(-3600), publishing_gap_seconds: 7200 });
  });

  it('disables a source that is gone', async () => {
    await recordPollFailure(database.db, id, { now, nextPollAt: at(600), status: 410, code: 'http_gone', message: 'HTTP 410', disable: DISABLED_REASONS.gone });
    expect((await sources())[0]).toMatchObject({ enabled: false, disabled_reason: DISABLED_REASONS.gone });
  });
});

describe('following a permanent redirect', () => {
  // No topic rules: an item's topics are its source's (classify.ts does the same with none).
  const sourceTopicsOnly: ClassifyStoredItem = (_item, source) => [...source.topics];
  const follow = (sourceId: number, newUrl: string, when = now) =>
    database.db.transaction().execute((trx) => followPermanentRedirect(trx, sourceId, newUrl, when, sourceTopicsOnly));
  const byUrl = async (url: string) => (await sources()).find((s) => s.url === url)!;
  const config = [
    { url: A, topics: ['korea'] },
    { url: B, topics: ['world'] },
  ];
  let a: Source;
  let b: Source;

  beforeEach(async () => {
    await database.db.deleteFrom('stories').execute();
    await syncConfigSources(database.db, config, now);
    [a, b] = [await byUrl(A), await byUrl(B)];
  });

  it('takes the new URL when no source has it', async () => {
    expect(await follow(a.id, 'https://a.example/new-feed')).toEqual({ kind: 'moved', topics: new Set() });
    expect((await sources()).map((s) => s.url)).toEqual(['https://a.example/new-feed', B]);
  });

  it('remembers the URL it moved from: the config file naming it still means this source, and so does a lookup', async () => {
    const moved = 'https://a.example/new-feed';
    await follow(a.id, moved);
    expect(await byUrl(moved)).toMatchObject({ id: a.id, previous_urls: [A] });
    const synced = await syncConfigSources(database.db, config, now);
    expect(synced.added).toBe(0);
    expect((await sources()).map((s) => [s.url, s.enabled])).toEqual([
      [moved, true],
      [B, true],
    ]);
    expect(await sourcesByUrl(database.db, [A, 'https://unknown.example/feed'])).toEqual([{ id: a.id, url: A, sourceUrl: moved }]);
  });

  it('merges into the source at the new URL: topics joined, items kept once, stories refreshed, the admin told why', async () => {
    // x is in both feeds (A's copy published first: its story's representative); y only in A's.
    await upsertItems(
      database.db,
      a.id,
      [makeItem({ key: 'x', publishedAt: new Date('2026-11-20T09:00:00Z'), topics: ['korea'] }), makeItem({ key: 'y', topics: ['korea'] })],
      now,
    );
    await upsertItems(database.db, b.id, [makeItem({ key: 'x', topics: ['world'] })], now);
    await groupPendingItems(database.db, now, CANONICAL_URL_ONLY);
    const items = await database.db.selectFrom('items').select(['id', 'source_id', 'item_key', 'story_id']).orderBy('id').execute();
    const [ax, ay, bx] = items;
    expect(ax!.story_id).toBe(bx!.story_id);

    const merged = await follow(a.id, B);
    expect(merged).toMatchObject({ kind: 'merged', into: { id: b.id, url: B, topics: ['world', 'korea'] }, movedItems: 1, droppedItems: 1 });
    expect(merged.kind === 'merged' && [...merged.topics].sort()).toEqual(['korea', 'world']);
    expect(await byUrl(B)).toMatchObject({ enabled: true, topics: ['world', 'korea'] });
    expect(await byUrl(A)).toMatchObject({ enabled: false, merged_into_id: b.id, disabled_reason: DISABLED_REASONS.mergedInto(b.id, B) });
    expect(DISABLED_REASONS.mergedInto(b.id, B)).toBe(`merged into source #${b.id} (${B}): its feed permanently redirects there`);

    const after = await database.db.selectFrom('items').select(['id', 'source_id', 'item_key', 'topics']).orderBy('id').execute();
    expect(after).toEqual([
      { id: ay!.id, source_id: b.id, item_key: 'y', topics: ['world', 'korea'] },
      { id: bx!.id, source_id: b.id, item_key: 'x', topics: ['world', 'korea'] },
    ]);
    const story = await database.db.selectFrom('stories').selectAll().where('id', '=', bx!.story_id).executeTakeFirstOrThrow();
    expect(story).toMatchObject({ representative_item_id: bx!.id, item_count: 1, source_count: 1 });
    const memberships = await database.db.selectFrom('story_topics').select(['topic', 'story_id']).orderBy('story_id').orderBy('topic').execute();
    expect(memberships).toEqual([
      ...[ay!.story_id, bx!.story_id]
        .sort((p, q) => p - q)
        .flatMap((id) => [
          { topic: 'korea', story_id: id },
          { topic: 'world', story_id: id },
        ]),
    ]);
  });

  it('a config sync afterwards neither re-enables the merged source nor adds one at its URL, and keeps the joined topics', async () => {
    await follow(a.id, B);
    expect(await syncConfigSources(database.db, config, now)).toEqual({ added: 0, updated: 1, disabled: 0 });
    expect(await sources()).toMatchObject([
      { url: A, enabled: false, merged_into_id: b.id },
      { url: B, enabled: true, topics: ['world', 'korea'] },
    ]);
    // The file names the feed only by its old URL: the source it was merged into stays polled.
    expect(await syncConfigSources(database.db, [{ url: A, topics: ['korea', 'asia'] }], now)).toEqual({ added: 0, updated: 1, disabled: 0 });
    expect(await sources()).toMatchObject([
      { url: A, enabled: false },
      { url: B, enabled: true, topics: ['world', 'korea', 'asia'] },
    ]);
  });

  it('follows a chain of merges to the source that is polled', async () => {
    await syncConfigSources(database.db, [...config, { url: C, topics: ['asia'] }], now);
    await follow(a.id, B);
    const c = await byUrl(C);
    expect(await follow(c.id, A)).toMatchObject({ kind: 'merged', into: { id: b.id, topics: ['world', 'korea', 'asia'] } });
    expect(await byUrl(C)).toMatchObject({ enabled: false, merged_into_id: b.id });
  });

  it('merges into no disabled source, nor one being polled: the source keeps its URL', async () => {
    await database.db.updateTable('sources').set({ enabled: false, disabled_reason: DISABLED_REASONS.paused }).where('id', '=', b.id).execute();
    expect(await follow(a.id, B)).toMatchObject({ kind: 'kept' });
    await database.db
      .updateTable('sources')
      .set({ enabled: true, disabled_reason: null, lease_owner: 'other', lease_until: at(300) })
      .where('id', '=', b.id)
      .execute();
    expect(await follow(a.id, B)).toMatchObject({ kind: 'kept' });
    expect(await byUrl(A)).toMatchObject({ enabled: true, merged_into_id: null });
    // Once that poll is over (or its lease lapsed), the next poll merges.
    expect(await follow(a.id, B, at(301))).toMatchObject({ kind: 'merged' });
  });

  it('an admin resuming a merged source makes its URL its own again', async () => {
    await follow(a.id, B);
    await updateSource(database.db, a.id, { enabled: true }, now);
    expect(await byUrl(A)).toMatchObject({ enabled: true, disabled_reason: null, merged_into_id: null });
  });
});
