/**
 * WebSub in, a real round trip on 127.0.0.1 (W3C WebSub §5, §7, §8): a polled feed names a
 * test hub; the subscriptions job subscribes with a callback under PUBLIC_URL; the hub
 * verifies it; signed pushes are stored and served, forged and unsigned ones are not (and
 * are counted); pausing the source unsubscribes it.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollFeeds } from '../../jobs/poll-feeds.ts';
import { renewWebSubSubscriptions } from '../../jobs/websub-subscriptions.ts';
import { sourceView } from '../../src/admin/source-view.ts';
import { readEnv } from '../../src/config/env.ts';
import { hubSignature } from '../../src/ingest/hub-signature.ts';
import { serve, type Service } from '../../src/main.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { updateSource } from '../../src/store/source-admin.ts';
import { findSourceHealth } from '../../src/store/source-reads.ts';
import { silentLog, testConfig, testContext } from '../helpers/context.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { startTestHub, type TestHub } from '../simulation/websub-hub.ts';

let fixtures: FixtureServer;
let hub: TestHub;
let service: Service;
let feedUrl: string;
let sourceId: number;

function feed(items: Array<{ guid: string; title: string }>): string {
  const entries = items
    .map(
      (item) =>
        `<item><title>${item.title}</title><link>https://pushed.example/${item.guid}</link><guid>${item.guid}</guid><description>${item.title} in full.</description><pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate></item>`,
    )
    .join('');
  return `<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Pushed</title><link>https://pushed.example/</link>
<atom:link rel="hub" href="${hub.url}"/><atom:link rel="self" href="${feedUrl}"/>${entries}</channel></rss>`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function itemTitles(): Promise<string[]> {
  const rows = await service.context.db.selectFrom('items').select('title').where('source_id', '=', sourceId).orderBy('title').execute();
  return rows.map((row) => row.title);
}

async function metric(outcome: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const match = new RegExp(`^tidings_websub_pushes_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/** The topic document, re-read until it carries `title` (a push is rendered in the background). */
async function topicFeedWith(title: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const body = await (await fetch(`${service.url}/topics/korea/rss.xml`)).text();
    if (body.includes(title)) return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the topic feed never carried "${title}"`);
}

function callback(): string {
  const subscriber = hub.subscribers(feedUrl)[0];
  if (subscriber === undefined) throw new Error('not subscribed at the hub');
  return subscriber.callback;
}

beforeAll(async () => {
  hub = await startTestHub({ leaseSeconds: 3600 });
  fixtures = await startFixtureServer();
  feedUrl = fixtures.url('/feed.xml');
  fixtures.route('/feed.xml', { body: feed([{ guid: 'polled-1', title: 'Seoul polled story' }]) });
  const port = await freePort();
  const env = { ...readEnv({}), port, publicUrl: `http://127.0.0.1:${port}` };
  const config = testConfig({ sources: [{ url: feedUrl, topics: ['korea'] }] });
  service = await serve(env, config, silentLog, { handleSignals: false, database: await createTestDatabase(), pollAtStart: false });
  await service.pollNow();
  sourceId = (await service.context.db.selectFrom('sources').select('id').executeTakeFirstOrThrow()).id;
  await renewWebSubSubscriptions(service.context);
  await hub.idle();
});

afterAll(async () => {
  await service?.stop();
  await fixtures?.close();
  await hub?.close();
});

describe('subscribing', () => {
  it('subscribes to the hub the feed names, with a callback under PUBLIC_URL and a secret, and echoes its verification', () => {
    expect(hub.requests).toEqual([
      { mode: 'subscribe', topic: feedUrl, callback: expect.stringMatching(`^${service.url}/websub/callback/[0-9a-f]{32}$`), verified: true },
    ]);
    expect(hub.subscribers(feedUrl)[0]!.secret).toMatch(/^[0-9a-f]{64}$/);
  });

  it('shows the push state in the source health, and polls at polling.maxInterval', async () => {
    const source = sourceView((await findSourceHealth(service.context.db, sourceId, new Date()))!, new Date());
    expect(source.push).toMatchObject({ state: 'subscribed', hub: hub.url, lastPushAt: null, error: null });
    expect(source.push!.subscribedUntil!.getTime() - Date.now()).toBeGreaterThan(3500_000);
    await service.context.db
      .updateTable('sources')
      .set({ next_poll_at: new Date(0) })
      .where('id', '=', sourceId)
      .execute();
    await service.pollNow();
    const { next_poll_at } = await service.context.db.selectFrom('sources').select('next_poll_at').where('id', '=', sourceId).executeTakeFirstOrThrow();
    expect(next_poll_at.getTime() - Date.now()).toBeGreaterThan(0.85 * 86_400_000);
  });

  it('refuses to verify a subscription it did not ask for, or another mode or topic', async () => {
    const verification = (url: string, mode: string, topic: string) =>
      fetch(`${url}?hub.mode=${mode}&hub.topic=${encodeURIComponent(topic)}&hub.challenge=abc&hub.lease_seconds=60`);
    expect((await verification(`${service.url}/websub/callback/${randomBytes(16).toString('hex')}`, 'subscribe', feedUrl)).status).toBe(404);
    expect((await verification(callback(), 'unsubscribe', feedUrl)).status).toBe(404);
    expect((await verification(callback(), 'subscribe', 'https://elsewhere.example/feed')).status).toBe(404);
  });
});

describe('pushes', () => {
  it('stores signed content and serves it in the topic feed', async () => {
    const statuses = await hub.publish(feedUrl, feed([{ guid: 'pushed-1', title: 'Seoul pushed story' }]));
    expect(statuses).toEqual([204]);
    expect(await topicFeedWith('Seoul pushed story')).toContain('Seoul polled story');
    expect(await metric('stored')).toBe(1);
  });

  it('answers forged and unsigned content 2xx, stores none of it, and counts it', async () => {
    const body = feed([{ guid: 'forged-1', title: 'Seoul forged story' }]);
    expect(await hub.pushRaw(callback(), body, hubSignature('sha256', 'not the secret', Buffer.from(body)))).toBe(204);
    expect(await hub.pushRaw(callback(), body, 'sha256=zz')).toBe(204);
    expect(await hub.pushRaw(callback(), body, null)).toBe(204);
    expect(await itemTitles()).not.toContain('Seoul forged story');
    expect(await metric('bad_signature')).toBe(2);
    expect(await metric('unsigned')).toBe(1);
  });

  it('refuses content over polling.maxBytes with 413, and counts it', async () => {
    const subscriber = hub.subscribers(feedUrl)[0]!;
    const body = Buffer.alloc(1024 * 1024 + 1, 0x20);
    expect(await hub.pushRaw(callback(), body, hubSignature('sha256', subscriber.secret, body))).toBe(413);
    expect(await metric('too_large')).toBe(1);
  });

  it('answers 410 for a callback it has no subscription behind', async () => {
    expect(await hub.pushRaw(`${service.url}/websub/callback/${randomBytes(16).toString('hex')}`, 'x', null)).toBe(410);
  });

  it('stores an item pushed and polled once', async () => {
    const both = feed([
      { guid: 'polled-1', title: 'Seoul polled story' },
      { guid: 'both-1', title: 'Seoul story pushed then polled' },
    ]);
    await hub.publish(feedUrl, both);
    fixtures.route('/feed.xml', { body: both });
    await service.context.db
      .updateTable('sources')
      .set({ next_poll_at: new Date(0) })
      .where('id', '=', sourceId)
      .execute();
    await service.pollNow();
    await hub.publish(feedUrl, both);
    expect(await itemTitles()).toEqual(['Seoul polled story', 'Seoul pushed story', 'Seoul story pushed then polled']);
  });
});

describe('unsubscribing', () => {
  it('unsubscribes once the source is paused, and stops taking pushes', async () => {
    const before = callback();
    await updateSource(service.context.db, sourceId, { enabled: false }, new Date());
    await renewWebSubSubscriptions(service.context);
    await hub.idle();
    expect(hub.requests.at(-1)).toEqual({ mode: 'unsubscribe', topic: feedUrl, callback: before, verified: true });
    expect(hub.subscribers(feedUrl)).toEqual([]);
    expect(await hub.pushRaw(before, 'x', null)).toBe(410);
    const source = sourceView((await findSourceHealth(service.context.db, sourceId, new Date()))!, new Date());
    expect(source.push).toBeNull();
  });
});

describe('"websub": {"subscribe": false}', () => {
  it('leaves a feed that names a hub to polling alone', async () => {
    const database = await createTestDatabase();
    const ctx = testContext(database, testConfig({ websub: { subscribe: false } }));
    try {
      await syncConfigSources(database.db, [{ url: feedUrl, topics: [] }], ctx.now());
      await pollFeeds(ctx);
      expect(await database.db.selectFrom('items').select('id').execute()).not.toEqual([]);
      expect(await database.db.selectFrom('websub_subscriptions').select('id').execute()).toEqual([]);
    } finally {
      await ctx.close();
      await database.close();
    }
  });
});

describe('a hub that refuses', () => {
  it("records the hub's refusal and its answer, trimmed, on the source", async () => {
    const database = await createTestDatabase();
    const ctx = testContext(database, testConfig());
    try {
      const refusedUrl = fixtures.url('/refused.xml');
      fixtures.route('/refusing-hub', { status: 400, contentType: 'text/plain', body: '  unknown topic\n' });
      fixtures.route('/refused.xml', {
        body: `<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Refused</title><link>https://refused.example/</link>
<atom:link rel="hub" href="${fixtures.url('/refusing-hub')}"/><atom:link rel="self" href="${refusedUrl}"/></channel></rss>`,
      });
      await syncConfigSources(database.db, [{ url: refusedUrl, topics: [] }], ctx.now());
      await pollFeeds(ctx);
      const hits = fixtures.hits('/refusing-hub');
      expect(await renewWebSubSubscriptions(ctx)).toMatchObject({ sent: 0, failed: 1 });
      expect(fixtures.hits('/refusing-hub')).toBe(hits + 1);
      const row = await findSourceHealth(database.db, (await database.db.selectFrom('sources').select('id').executeTakeFirstOrThrow()).id, ctx.now());
      expect(sourceView(row!, ctx.now()).push).toMatchObject({ state: 'subscribing', error: 'the hub answered 400 to subscribe: unknown topic' });
    } finally {
      await ctx.close();
      await database.close();
    }
  });
});
