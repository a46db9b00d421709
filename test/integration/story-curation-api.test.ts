/**
 * Story curation through the admin API (issue #18) on a service built by serve(): reading a
 * topic's stories and one story with why each item joined, splitting, merging, hiding and
 * unhiding, what each does to the served documents, search and digests, that it lasts across
 * polls, and the curation log. Each test starts from the three outlets of story-fixtures.ts,
 * polled in order.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDigest } from '../../jobs/build-digests.ts';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { findDigest } from '../../src/store/digests.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { clearContent, createTestDatabase } from '../helpers/database.ts';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';
import { routeStoryFeeds, storySources, type StoryFeedChanges } from '../helpers/story-fixtures.ts';

const TOKEN = 'story-curation-admin-token-0123456789';
let feeds: FixtureServer;
let service: Service;

beforeAll(async () => {
  feeds = await startFixtureServer();
  const config = testConfig({
    topics: [{ slug: 'korea', title: 'Korea', include: ['north korea'] }],
    sources: storySources(feeds),
    // Polls happen when a test asks (refresh), never on a timer.
    polling: { schedule: '0 0 1 1 *', timeoutMs: 2000, allowPrivateNetworks: true, hostSpacing: 0 },
  });
  service = await serve({ ...readEnv({}), port: 0, publicUrl: 'http://feeds.test', adminToken: TOKEN }, config, silentLog, {
    handleSignals: false,
    database: await createTestDatabase(),
    pollAtStart: false,
  });
});
afterAll(async () => {
  await service?.stop();
  await feeds?.close();
});

let sourceIds: Record<'wire' | 'daily' | 'herald', number>;

beforeEach(async () => {
  await clearContent(service.context.database);
  feeds.reset();
  routeStoryFeeds(feeds);
  await syncConfigSources(service.context.db, service.context.config.sources, new Date());
  const sources = (await call('GET', '/admin/api/sources')).body.sources as Array<{ id: number; url: string }>;
  const id = (path: string) => sources.find((s) => s.url.endsWith(path))!.id;
  sourceIds = { wire: id('/wire.xml'), daily: id('/daily.xml'), herald: id('/herald.xml') };
  for (const source of ['wire', 'daily', 'herald'] as const) await repoll(source);
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : JSON.parse(text) };
}

async function repoll(source: keyof typeof sourceIds, changes?: StoryFeedChanges): Promise<void> {
  if (changes) routeStoryFeeds(feeds, changes);
  expect((await call('POST', `/admin/api/sources/${sourceIds[source]}/refresh`)).status).toBe(200);
}

/** The item ids by guid, and the story each is in. */
async function items(): Promise<Record<string, { id: number; story: number }>> {
  const rows = await service.context.db.selectFrom('items').select(['id', 'item_key', 'story_id']).execute();
  return Object.fromEntries(rows.map((r) => [r.item_key, { id: r.id, story: r.story_id }]));
}

/** The topic's served documents, all three formats, and its page for browsers. */
async function served(query = ''): Promise<{ rss: string; atom: string; json: string; page: string }> {
  const get = async (file: string) => (await fetch(`${service.url}/topics/korea/${file}${query}`)).text();
  return { rss: await get('rss.xml'), atom: await get('atom.xml'), json: await get('feed.json'), page: await get('') };
}
const entries = async () => (JSON.parse((await served()).json) as { items: Array<{ id: string; title: string; _tidings: any }> }).items;

describe('reading stories', () => {
  it('lists a topic’s stories newest first, a page at a time', async () => {
    const first = await call('GET', '/admin/api/topics/korea/stories?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.stories.map((s: { title: string }) => s.title)).toEqual(['Weather turns cold in Seoul', 'Seoul hosts summit']);
    const rest = await call('GET', `/admin/api/topics/korea/stories?limit=2&before=${first.body.next}`);
    expect(rest.body.stories.map((s: { title: string }) => s.title)).toEqual(['Seoul markets close higher', 'North Korea fires missile']);
    expect(rest.body.stories[1]).toMatchObject({ itemCount: 3, sourceCount: 3 });
  });

  it('refuses an unknown topic (404) and a bad limit (400)', async () => {
    expect((await call('GET', '/admin/api/topics/nope/stories')).body.error.code).toBe('unknown_topic');
    const bad = await call('GET', '/admin/api/topics/korea/stories?limit=abc');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_limit']);
    expect((await call('GET', '/admin/api/topics/korea/stories?limit=0')).status).toBe(400);
  });

  it('shows a story with every item and why it joined: founder, canonical URL, near-duplicate text', async () => {
    const { w1, d1, h1 } = await items();
    const story = await call('GET', `/admin/api/stories/${w1!.story}`);
    expect(story.status).toBe(200);
    expect(story.body).toMatchObject({ id: w1!.story, title: 'North Korea fires missile', url: 'https://wireservice.example/nk-missile', topics: ['korea'] });
    const byId = new Map(story.body.items.map((i: { id: number }) => [i.id, i]));
    expect(byId.get(w1!.id)).toMatchObject({ sourceTitle: 'Wire Service', hidden: false, representative: true, reason: null });
    expect(byId.get(d1!.id)).toMatchObject({
      sourceId: sourceIds.daily,
      reason: { kind: 'canonical-url', matchedItem: { id: w1!.id, sourceTitle: 'Wire Service' } },
    });
    expect((byId.get(d1!.id) as any).reason.summary).toBe(`same article URL as item #${w1!.id} ("North Korea fires missile" from Wire Service)`);
    const text = (byId.get(h1!.id) as any).reason;
    expect(text).toMatchObject({ kind: 'near-duplicate-text', matchedItem: { id: w1!.id }, figures: { hammingDistance: 0 } });
    expect(text.figures.titleSimilarity).toBeGreaterThan(0.5);
    expect(text.summary).toMatch(/^near-duplicate text of item #\d+ .*: bodies differ in 0 of 64 bits, ledes in 0, titles \d+% alike$/);
  });

  it('answers 404 for an unknown story and 400 for a bad id', async () => {
    expect((await call('GET', '/admin/api/stories/999999')).status).toBe(404);
    const bad = await call('GET', '/admin/api/stories/x1');
    expect([bad.status, bad.body.error.message]).toEqual([400, 'a story id is a positive whole number, not "x1"']);
  });
});

describe('splitting an item out', () => {
  it('makes the item a story of its own, in every served format', async () => {
    const { w1, d1 } = await items();
    const split = await call('POST', `/admin/api/stories/${w1!.story}/split`, { itemId: d1!.id });
    expect(split.status).toBe(200);
    expect(split.body).toMatchObject({ action: 'split', topics: ['korea'], story: { title: 'Missile launch, Daily copy', items: [{ id: d1!.id }] } });
    expect(split.body.story.id).not.toBe(w1!.story);
    expect((await items()).d1!.story).toBe(split.body.story.id);
    const titles = (await entries()).map((e) => e.title);
    expect(titles).toContain('Missile launch, Daily copy');
    const { rss, atom } = await served();
    for (const text of [rss, atom]) expect(text).toContain('Missile launch, Daily copy');
    const left = await call('GET', `/admin/api/stories/${w1!.story}`);
    expect(left.body.items).toHaveLength(2);
    expect(left.body.splits).toEqual([expect.objectContaining({ itemId: d1!.id, inStoryId: split.body.story.id, keptOutOf: w1!.story })]);
  });

  it('refuses a missing itemId (400), an unknown story (404), an item of another story or the only item (409)', async () => {
    const { w1, w2 } = await items();
    expect((await call('POST', `/admin/api/stories/${w1!.story}/split`, {})).status).toBe(400);
    expect((await call('POST', `/admin/api/stories/${w1!.story}/split`, { itemId: -3 })).status).toBe(400);
    expect((await call('POST', '/admin/api/stories/999999/split', { itemId: w1!.id })).status).toBe(404);
    expect((await call('POST', `/admin/api/stories/${w1!.story}/split`, { itemId: 999999 })).status).toBe(404);
    const other = await call('POST', `/admin/api/stories/${w1!.story}/split`, { itemId: w2!.id });
    expect([other.status, other.body.error.code]).toEqual([409, 'not_in_story']);
    const only = await call('POST', `/admin/api/stories/${w2!.story}/split`, { itemId: w2!.id });
    expect([only.status, only.body.error.code]).toEqual([409, 'only_item']);
  });

  it('lasts when its feed changes the item and it is polled again', async () => {
    const { w1, d1 } = await items();
    const split = await call('POST', `/admin/api/stories/${w1!.story}/split`, { itemId: d1!.id });
    await repoll('daily', { dailyMissileTitle: 'Missile launch, Daily copy (updated)' });
    const after = await items();
    expect(after.d1!.story).toBe(split.body.story.id);
    expect((await call('GET', `/admin/api/stories/${split.body.story.id}`)).body.title).toBe('Missile launch, Daily copy (updated)');
  });

  it('lasts when the item is deleted and its feed lists it again (grouped anew, never into that story)', async () => {
    const { w1, d1 } = await items();
    await call('POST', `/admin/api/stories/${w1!.story}/split`, { itemId: d1!.id });
    // As retention would: the row goes; the feed still lists the item, so the next poll stores it anew.
    await service.context.db.deleteFrom('items').where('id', '=', d1!.id).execute();
    await repoll('daily', { dailyMissileTitle: 'Missile launch, Daily copy, again' });
    const again = (await items()).d1!;
    expect(again.id).not.toBe(d1!.id);
    expect(again.story).not.toBe(w1!.story);
  });
});

describe('merging stories', () => {
  it('makes one story under the oldest story’s guid, and it stays one across polls', async () => {
    const { w2, d2 } = await items();
    const before = await call('GET', `/admin/api/stories/${w2!.story}`);
    const merged = await call('POST', '/admin/api/stories/merge', { storyIds: [d2!.story, w2!.story] });
    expect(merged.status).toBe(200);
    expect(merged.body.story).toMatchObject({ id: w2!.story, guid: before.body.guid, itemCount: 2 });
    const summit = merged.body.story.items.find((i: { id: number }) => i.id === d2!.id);
    expect(summit.reason).toMatchObject({ kind: 'merged', fromStoryId: d2!.story });
    expect((await call('GET', `/admin/api/stories/${d2!.story}`)).status).toBe(404);
    const entry = (await entries()).find((e) => e.id === `urn:uuid:${before.body.guid}`)!;
    expect(entry._tidings.also_reported_by.map((c: { title: string }) => c.title)).toEqual(['Seoul hosts summit']);
    // A changed item and a new copy of the Wire's story: still one story, with the new copy in it.
    await repoll('daily', { dailyMissileTitle: 'Missile launch (edited)', dailyMarketsCopy: true });
    await repoll('wire');
    const after = await items();
    expect([after.d2!.story, after.d4!.story]).toEqual([w2!.story, w2!.story]);
  });

  it('undoes a split, clearing its separation', async () => {
    const { w1, d1 } = await items();
    const split = await call('POST', `/admin/api/stories/${w1!.story}/split`, { itemId: d1!.id });
    const merged = await call('POST', '/admin/api/stories/merge', { storyIds: [w1!.story, split.body.story.id] });
    expect(merged.body.story).toMatchObject({ id: w1!.story, itemCount: 3, splits: [] });
    expect((await items()).d1!.story).toBe(w1!.story);
  });

  it('refuses fewer than two ids or one twice (400), and names unknown stories (404)', async () => {
    const { w1 } = await items();
    for (const storyIds of [[w1!.story], [w1!.story, w1!.story], [w1!.story, 'x'], []])
      expect((await call('POST', '/admin/api/stories/merge', { storyIds })).status).toBe(400);
    const unknown = await call('POST', '/admin/api/stories/merge', { storyIds: [w1!.story, 999999] });
    expect([unknown.status, unknown.body.error.message]).toEqual([404, 'no story #999999']);
  });
});

describe('hiding an item', () => {
  it('takes it out of every format, and the story’s representative skips it', async () => {
    const { w1 } = await items();
    const hidden = await call('POST', `/admin/api/items/${w1!.id}/hide`);
    expect(hidden.status).toBe(200);
    expect(hidden.body.story).toMatchObject({ representativeItemId: expect.any(Number), title: 'North Korea fires missile, officials say', itemCount: 2 });
    expect(hidden.body.story.items.find((i: { id: number }) => i.id === w1!.id)).toMatchObject({ hidden: true, hiddenBy: 'api token' });
    const { rss, atom } = await served();
    for (const text of [rss, atom]) {
      expect(text).not.toMatch(/North Korea fires missile</); // the Wire's copy is listed nowhere…
      expect(text).toContain('North Korea fires missile, officials say'); // …the story is, by the Herald's copy
    }
    const missile = (await entries()).find((e) => e.title.startsWith('North Korea'))!;
    expect(missile.title).toBe('North Korea fires missile, officials say');
    expect(missile._tidings.also_reported_by.map((c: { source: string }) => c.source)).toEqual(['The Daily']);
    const again = await call('POST', `/admin/api/items/${w1!.id}/hide`);
    expect([again.status, again.body.error.code]).toEqual([409, 'already_hidden']);
    expect((await call('POST', '/admin/api/items/999999/hide')).status).toBe(404);
  });

  it('drops a story whose items are all hidden from the documents, the topic page, search and the next digest; published digests stay; unhide brings it back', async () => {
    const { d3 } = await items();
    const topic = service.context.topics.current().list[0]!;
    const period = (date: string) => ({ start: new Date(Date.now() - 86_400_000), end: new Date(Date.now() + 3_600_000), date });
    await buildDigest(service.context, { topic, period: period('2099-01-01') });
    expect((await served('?q=weather')).json).toContain('Weather turns cold in Seoul');

    await call('POST', `/admin/api/items/${d3!.id}/hide`);
    for (const text of Object.values(await served())) expect(text).not.toContain('Weather turns cold');
    expect((await served('?q=weather')).json).not.toContain('Weather turns cold');
    expect((await call('GET', '/admin/api/topics/korea/stories')).body.stories).toHaveLength(3);
    await buildDigest(service.context, { topic, period: period('2099-01-02') });
    expect((await findDigest(service.context.db, 'korea', '2099-01-02'))!.text).not.toContain('Weather');
    expect((await findDigest(service.context.db, 'korea', '2099-01-01'))!.text).toContain('Weather turns cold in Seoul');

    const unhidden = await call('POST', `/admin/api/items/${d3!.id}/unhide`);
    expect(unhidden.body.story).toMatchObject({ topics: ['korea'], items: [{ hidden: false, hiddenBy: null }] });
    for (const text of Object.values(await served())) expect(text).toContain('Weather turns cold in Seoul');
    expect((await served('?q=weather')).json).toContain('Weather turns cold in Seoul');
    const twice = await call('POST', `/admin/api/items/${d3!.id}/unhide`);
    expect([twice.status, twice.body.error.code]).toEqual([409, 'not_hidden']);
  });

  it('stays hidden when its feed changes it', async () => {
    const { w1, d1 } = await items();
    await call('POST', `/admin/api/items/${d1!.id}/hide`);
    await repoll('daily', { dailyMissileTitle: 'Missile launch, Daily copy (edited)' });
    const story = await call('GET', `/admin/api/stories/${w1!.story}`);
    expect(story.body.items.find((i: { id: number }) => i.id === d1!.id)).toMatchObject({ hidden: true, title: 'Missile launch, Daily copy (edited)' });
    expect((await served()).json).not.toContain('Daily copy');
  });
});

describe('the curation log', () => {
  it('lists every action, newest first, with who, what and which ids', async () => {
    const { w1, d1, w2, d2 } = await items();
    const split = await call('POST', `/admin/api/stories/${w1!.story}/split`, { itemId: d1!.id });
    await call('POST', '/admin/api/stories/merge', { storyIds: [w2!.story, d2!.story] });
    await call('POST', `/admin/api/items/${w2!.id}/hide`);
    await call('POST', `/admin/api/items/${w2!.id}/unhide`);
    const log = await call('GET', '/admin/api/curation-log?limit=4');
    expect(log.status).toBe(200);
    expect(log.body.entries.map((e: { action: string }) => e.action)).toEqual(['unhide', 'hide', 'merge', 'split']);
    expect(log.body.entries[3]).toMatchObject({
      actor: 'api token',
      storyIds: [w1!.story, split.body.story.id],
      itemIds: [d1!.id],
      detail: { fromStoryId: w1!.story, newStoryId: split.body.story.id, itemTitle: 'Missile launch, Daily copy' },
    });
    expect(log.body.entries[2]).toMatchObject({ storyIds: [w2!.story, d2!.story], itemIds: [d2!.id] });
    expect((await call('GET', '/admin/api/curation-log?limit=9999')).status).toBe(400);
  });
});
