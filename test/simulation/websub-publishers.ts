/**
 * WebSub in the simulated week: some publishers advertise the test hub (websub-hub.ts) in a
 * Link header (world-server.ts); each tick, the subscriptions job runs and the hub pushes a
 * publisher's document whenever it changed (a fat ping), signed, plus now and then a forged
 * one. Checked right after each push (before any poll): the pushed items are stored, once,
 * and forged content never is; each hour: one subscription per pushing publisher whose
 * source is enabled (a restart, renewals and a pause must not leave two or none; a resumed
 * one may still have its request pending).
 */
import type { Kysely } from 'kysely';
import { renewWebSubSubscriptions } from '../../jobs/websub-subscriptions.ts';
import type { AppContext } from '../../src/app-context.ts';
import type { DB } from '../../src/db/schema.ts';
import { hubSignature } from '../../src/ingest/hub-signature.ts';
import { startTestHub, type TestHub } from './websub-hub.ts';
import { renderWorldFeed } from './world-render.ts';
import { listing, type World, type WorldFeed } from './world.ts';

/** The publishers that advertise the hub: steady ones, and the one an admin pauses mid-week. */
export function pushingFeeds(world: World): WorldFeed[] {
  const steady = world.feeds.filter(
    (f) => f.origin === 'config' && !f.movedTo && !f.goneAt && f.meanGapMinutes !== null && (f.format === 'rss2' || f.format === 'atom'),
  );
  const chosen = [...steady.filter((f) => f.path === '/feed/politics'), ...steady.filter((f) => f.path !== '/feed/politics').slice(0, 3)];
  for (const feed of chosen) feed.hub = true;
  return chosen;
}

export interface SimulatedHub {
  url: string;
  /** Pushes due at `now` (after the subscriptions job); returns problems seen. */
  tick(ctx: AppContext, now: Date, feedUrl: (feed: WorldFeed) => string, forge: boolean): Promise<string[]>;
  /** One subscription per pushing publisher whose source is enabled, none for a paused one. */
  checkSubscriptions(db: Kysely<DB>, feedUrl: (feed: WorldFeed) => string): Promise<string[]>;
  pushes(): number;
  close(): Promise<void>;
}

const FORGED_KEY = 'forged-by-the-simulation';

export async function startSimulatedHub(world: World, feeds: WorldFeed[], callbackOrigin: () => string): Promise<SimulatedHub> {
  // PUBLIC_URL names no port; the hub calls the service where it listens.
  const hub: TestHub = await startTestHub({ leaseSeconds: 86_400, resolveCallback: (callback) => callback.replace(/^https?:\/\/[^/]+/, callbackOrigin()) });
  const lastPushed = new Map<string, string>();
  let pushes = 0;
  return {
    url: hub.url,
    pushes: () => pushes,
    async tick(ctx, now, feedUrl, forge) {
      const problems: string[] = [];
      await renewWebSubSubscriptions(ctx);
      await hub.idle();
      for (const feed of feeds) {
        const topic = feedUrl(feed);
        if (hub.subscribers(topic).length === 0) continue;
        const items = listing(world, feed, now);
        const doc = renderWorldFeed(feed, items, now);
        const body = doc.body.toString('latin1');
        if (lastPushed.get(feed.id) !== body) {
          lastPushed.set(feed.id, body);
          const statuses = await hub.publish(topic, doc.body.toString('utf8'), doc.contentType);
          pushes += statuses.length;
          if (statuses.some((s) => s !== 204)) problems.push(`push to ${feed.id} answered ${statuses.join(', ')}`);
          const keys = await storedKeys(ctx.db, topic);
          const missing = items.filter((item) => !keys.includes(item.key));
          if (missing.length > 0) problems.push(`${feed.id}: ${missing.length} pushed item(s) not stored right after the push (${missing[0]!.key})`);
          if (new Set(keys).size !== keys.length) problems.push(`${feed.id}: an item stored twice after a push`);
        }
        if (forge) {
          const forged = doc.body
            .toString('utf8')
            .replace(/<item>|<entry>/, (tag) => `${tag}${tag === '<item>' ? `<guid>${FORGED_KEY}</guid>` : `<id>${FORGED_KEY}</id>`}`);
          for (const subscriber of hub.subscribers(topic))
            await hub.pushRaw(subscriber.callback, forged, hubSignature('sha256', 'a guessed secret', Buffer.from(forged)), doc.contentType);
          if ((await storedKeys(ctx.db, topic)).includes(FORGED_KEY)) problems.push(`${feed.id}: forged content was stored`);
        }
      }
      return problems;
    },
    async checkSubscriptions(db, feedUrl) {
      const problems: string[] = [];
      for (const feed of feeds) {
        const topic = feedUrl(feed);
        const source = await db.selectFrom('sources').select(['id', 'enabled', 'last_success_at']).where('url', '=', topic).executeTakeFirst();
        const expected = source?.enabled && source.last_success_at !== null ? 1 : 0;
        const found = hub.subscribers(topic).length;
        // A resumed source is subscribed again once a poll finds the hub: until the job's next run, the request is pending.
        const pending =
          source !== undefined &&
          (await db
            .selectFrom('websub_subscriptions')
            .select('id')
            .where('source_id', '=', source.id)
            .where('state', '=', 'subscribing')
            .executeTakeFirst()) !== undefined;
        if (found !== expected && !(found === 0 && pending)) problems.push(`${feed.id}: ${found} subscription(s) at the hub, expected ${expected}`);
      }
      return problems;
    },
    close: () => hub.close(),
  };
}

async function storedKeys(db: Kysely<DB>, sourceUrl: string): Promise<string[]> {
  const rows = await db
    .selectFrom('items')
    .innerJoin('sources', 'sources.id', 'items.source_id')
    .select('items.item_key')
    .where('sources.url', '=', sourceUrl)
    .execute();
  return rows.map((row) => row.item_key);
}
