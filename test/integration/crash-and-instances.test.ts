/**
 * Real `tidings serve` processes on one Postgres (Postgres only: the embedded database is
 * one process by design).
 *
 * Crash safety: an instance is SIGKILLed at different points of a poll cycle (a fetch in
 * flight, a response just read, a commit just made), restarted, and finally a survivor
 * takes over. Afterwards no item is lost or duplicated, every story has one entry per
 * canonical URL, and the dead instances' leases expire (at a bounded time) so the survivor
 * takes their sources over; the survivor itself hands everything back on SIGTERM.
 *
 * Several instances: three processes share the polling: each source is fetched exactly
 * once per due time, no item is stored twice, and each digest is published once.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostSlotLeaseSeconds, leaseSeconds } from '../../src/app-context.ts';
import { parseFeedsConfig } from '../../src/config/load-config.ts';
import { latestEndedPeriod } from '../../src/digest-periods.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../helpers/database.ts';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TIMEOUT_MS = 3_000;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const run = promisify(execFile);

// ---------------------------------------------------------------------------
// Processes

interface Instance {
  pid: number;
  /** Every lease this process takes is owned by a name starting with this. */
  ownerPrefix: string;
  /** Its JSON log lines. */
  logs: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

const running = new Set<Instance>();

function startInstance(env: Record<string, string>): Instance {
  const child = spawn(process.execPath, [path.join(repo, 'bin/tidings.mjs'), 'serve'], {
    cwd: repo,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const instance: Instance = {
    pid: child.pid!,
    // app-context.ts names the owner `${hostname}:${pid}:${random}`.
    ownerPrefix: `${hostname()}:${child.pid}:`,
    logs,
    exited: new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        running.delete(instance);
        if (code !== 0 && signal === null) console.error(`tidings ${child.pid} exited with ${code}:\n${stderr}`);
        resolve({ code, signal });
      }),
    ),
    kill: (signal) => child.kill(signal),
  };
  running.add(instance);
  return instance;
}

afterAll(async () => {
  for (const instance of running) instance.kill('SIGKILL');
});

async function waitUntil(condition: () => boolean | Promise<boolean>, label: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${label}`);
    await wait(20);
  }
}

function writeConfig(feeds: string[], polling: Record<string, unknown>): string {
  const config = {
    topics: [
      { slug: 'world', title: 'World', include: ['story'] },
      { slug: 'korea', title: 'Korea', include: ['north korea'] },
    ],
    sources: feeds.map((url) => ({ url })),
    polling: { timeoutMs: TIMEOUT_MS, allowPrivateNetworks: true, concurrency: 4, perHost: 32, hostSpacing: '0s', ...polling },
  };
  parseFeedsConfig(config, 'test config'); // fail here, not in a child process
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-instances-')), 'feeds.config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

// ---------------------------------------------------------------------------
// Feeds: every answer comes after a delay, so kills land while polls are in flight

interface FeedItem {
  guid: string;
  title: string;
  link: string;
  pubDate: Date;
}

function rss(title: string, items: FeedItem[]): string {
  const entries = items.map(
    (i) =>
      `<item><guid isPermaLink="false">${i.guid}</guid><title>${i.title}</title><link>${i.link}</link><pubDate>${i.pubDate.toUTCString()}</pubDate><description>${i.title}, as reported.</description></item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${title}</title><link>https://${title}.example/</link>${entries.join('')}</channel></rss>`;
}

interface FeedFarm {
  urls: string[];
  /** Requests seen, and answers fully sent. */
  requests: number;
  answered: number;
  inFlight: number;
  hits(url: string): number;
}

/** `count` feeds at /feed-N.xml answered after `delay()` ms by `answer(n, res)`. */
function feedFarm(server: FixtureServer, count: number, delay: () => number, answer: (n: number, req: IncomingMessage, res: ServerResponse) => void): FeedFarm {
  const farm: FeedFarm = {
    urls: Array.from({ length: count }, (_, n) => server.url(`/feed-${n}.xml`)),
    requests: 0,
    answered: 0,
    inFlight: 0,
    hits: (url) => server.hits(new URL(url).pathname),
  };
  for (let n = 0; n < count; n++) {
    server.route(`/feed-${n}.xml`, (req, res) => {
      farm.requests += 1;
      farm.inFlight += 1;
      const timer = setTimeout(() => answer(n, req, res), delay());
      res.on('finish', () => (farm.answered += 1));
      res.on('close', () => {
        clearTimeout(timer);
        farm.inFlight -= 1;
      });
    });
  }
  return farm;
}

// ---------------------------------------------------------------------------

describe.runIf(testDatabaseUrl)('several real processes on one Postgres', () => {
  describe('crash safety', () => {
    let fixtures: FixtureServer;
    let database: TestDatabase;
    let farm: FeedFarm;
    /** Items each feed has published so far: every answer publishes one more, until frozen. */
    const published: number[] = [];
    let frozen = false;
    const epoch = Date.now() - 3_600_000;
    const itemsOf = (n: number): FeedItem[] =>
      Array.from({ length: published[n]! }, (_, i) => ({
        guid: `feed-${n}-item-${i}`,
        title: `Story ${i} from feed ${n}`,
        // Story i of every feed is one article (tracking parameters aside): one story, many outlets.
        link: `https://wire.example/story/${i}?utm_source=feed-${n}`,
        pubDate: new Date(epoch + i * 60_000),
      }));

    beforeAll(async () => {
      database = await createTestDatabase();
      fixtures = await startFixtureServer();
      farm = feedFarm(
        fixtures,
        24,
        () => 100 + Math.random() * 250,
        (n, _req, res) => {
          if (!frozen) published[n] = (published[n] ?? 0) + 1;
          res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(`feed-${n}`, itemsOf(n)));
        },
      );
      for (let n = 0; n < farm.urls.length; n++) published[n] = 0;
    });
    afterAll(async () => {
      await fixtures?.close();
      await database?.close();
    });

    const env = () => ({
      DATABASE_URL: database.url!,
      FEEDS_CONFIG: writeConfig(farm.urls, { schedule: '* * * * * *', minInterval: '1s', maxInterval: '2s' }),
      LOG_LEVEL: 'warn',
    });
    const leasesOf = (prefix: string) => database.db.selectFrom('sources').select(['id', 'lease_until']).where('lease_owner', 'like', `${prefix}%`).execute();
    const itemCount = async () =>
      Number(
        (
          await database.db
            .selectFrom('items')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('loses and duplicates nothing when instances are killed mid-poll, and lets their leases expire', async () => {
      const dead: Array<{ moment: string; instance: Instance; killedAt: number; leases: Array<{ id: number; lease_until: Date | null }> }> = [];
      const killWhen = async (moment: string, trigger: () => Promise<void>) => {
        // Mid-poll for sure: it holds leases when the kill lands. Its polls may all end in the
        // instant between seeing its leases and the kill; then another instance is killed.
        for (let attempt = 1; ; attempt++) {
          const instance = startInstance(env());
          await trigger();
          await waitUntil(async () => (await leasesOf(instance.ownerPrefix)).length >= 2, 'it holds leases');
          instance.kill('SIGKILL');
          const killedAt = Date.now();
          await instance.exited;
          const leases = await leasesOf(instance.ownerPrefix);
          if (leases.length > 0 || attempt === 5) {
            dead.push({ moment, instance, killedAt, leases });
            return;
          }
        }
      };

      await killWhen('fetches in flight', async () => {
        const before = farm.requests;
        await waitUntil(() => farm.requests >= before + 6 && farm.inFlight > 0, 'requests are in flight');
      });
      await killWhen('an answer just read: parsing or storing it', async () => {
        const before = farm.answered;
        await waitUntil(() => farm.answered >= before + 4, 'answers were read');
        await wait(Math.random() * 40);
      });
      await killWhen('right after a commit: grouping, rendering, the next claims', async () => {
        const before = await itemCount();
        await waitUntil(async () => (await itemCount()) > before, 'items were committed');
      });
      await killWhen('early in the first cycle of a fresh process', async () => {
        const before = farm.requests;
        await waitUntil(() => farm.requests > before, 'the first request');
        await wait(50 + Math.random() * 200);
      });

      // Every kill landed mid-poll (it held leases), and those leases end at a bounded time.
      for (const { moment, killedAt, leases } of dead) {
        expect(leases.length, moment).toBeGreaterThan(0);
        for (const lease of leases) expect(lease.lease_until!.getTime()).toBeLessThanOrEqual(killedAt + leaseSeconds(TIMEOUT_MS) * 1000 + 1000);
      }
      const deadSlots = await database.db.selectFrom('host_slots').select(['owner', 'lease_until']).where('owner', 'is not', null).execute();
      for (const slot of deadSlots) {
        const killed = dead.find((d) => slot.owner!.startsWith(d.instance.ownerPrefix));
        if (killed) expect(slot.lease_until!.getTime()).toBeLessThanOrEqual(killed.killedAt + hostSlotLeaseSeconds(TIMEOUT_MS) * 1000 + 1000);
      }

      // A survivor starts. The dead leases last minutes; let them run out now (as if that
      // time had passed): the survivor must take those sources over by itself.
      const survivor = startInstance(env());
      const deadOwners = dead.map((d) => `${d.instance.ownerPrefix}%`);
      await sql`update sources set lease_until = now() - interval '1 second' where lease_owner like any(${deadOwners})`.execute(database.db);
      await waitUntil(
        async () => (await Promise.all(dead.map((d) => leasesOf(d.instance.ownerPrefix)))).every((l) => l.length === 0),
        'the dead leases were taken over',
      );

      // Let every feed publish more items under the survivor, then stop publishing and wait
      // for one complete successful poll of every feed.
      await waitUntil(() => published.every((n) => n >= 2), 'every feed published two items');
      frozen = true;
      const frozenAt = new Date();
      await waitUntil(async () => {
        const behind = await database.db
          .selectFrom('sources')
          .select('id')
          .where((eb) => eb.or([eb('last_success_at', 'is', null), eb('last_success_at', '<', frozenAt)]))
          .execute();
        return behind.length === 0;
      }, 'every feed was polled after the freeze');

      // SIGTERM: the survivor finishes or hands back what it holds, and exits cleanly.
      survivor.kill('SIGTERM');
      expect(await survivor.exited).toEqual({ code: 0, signal: null });
      expect(await leasesOf(survivor.ownerPrefix)).toEqual([]);
      expect(await database.db.selectFrom('host_slots').select('slot').where('owner', 'like', `${survivor.ownerPrefix}%`).execute()).toEqual([]);

      // Nothing lost, nothing twice: each feed's stored items are exactly the ones it published.
      const stored = await database.db
        .selectFrom('items')
        .innerJoin('sources', 'sources.id', 'items.source_id')
        .select(['sources.url', 'items.title', 'items.story_id', 'items.canonical_url'])
        .execute();
      farm.urls.forEach((url, n) => {
        const titles = stored
          .filter((s) => s.url === url)
          .map((s) => s.title)
          .sort();
        expect(titles, url).toEqual(
          itemsOf(n)
            .map((i) => i.title)
            .sort(),
        );
      });
      // Every item is grouped into a story that exists, and one article is one story however
      // many outlets carried it.
      expect(await database.db.selectFrom('ungrouped_items').select('item_id').execute()).toEqual([]);
      const homeless = await sql<{
        n: number;
      }>`select count(*)::int as n from items i where not exists (select 1 from stories s where s.id = i.story_id)`.execute(database.db);
      expect(homeless.rows[0]!.n).toBe(0);
      const storiesPerUrl = new Map<string, Set<number>>();
      for (const s of stored) storiesPerUrl.set(s.canonical_url!, (storiesPerUrl.get(s.canonical_url!) ?? new Set()).add(s.story_id));
      expect([...storiesPerUrl].filter(([, stories]) => stories.size > 1)).toEqual([]);
      const orphans = await sql<{
        n: number;
      }>`select count(*)::int as n from stories s where not exists (select 1 from items i where i.story_id = s.id)`.execute(database.db);
      expect(orphans.rows[0]!.n).toBe(0);
    }, 90_000);
  });

  describe('three instances', () => {
    let fixtures: FixtureServer;
    let database: TestDatabase;
    let farm: FeedFarm;
    // The start-up digest job of each instance builds the period that ended last (its items
    // may still be in flight on another instance, so it can be empty). The items are dated in
    // the period before, whose korea digest three `tidings digest build` commands then race
    // to publish.
    const digestConfig = { time: '07:00', timezone: 'UTC', maxStories: 20, period: 'daily', weekday: 'monday' } as const;
    const latest = latestEndedPeriod(new Date(), digestConfig);
    const period = latestEndedPeriod(latest.start, digestConfig);
    const feedBody = (n: number) =>
      rss(
        `feed-${n}`,
        [0, 1].map((i) => ({
          guid: `feed-${n}-item-${i}`,
          title: n % 2 === 0 ? `North Korea story ${i} from feed ${n}` : `Story ${i} from feed ${n}`,
          link: `https://wire.example/${n % 2 === 0 ? 'nk' : 'world'}/${i}?utm_source=feed-${n}`,
          pubDate: new Date(period.start.getTime() + (n * 2 + i) * 60_000),
        })),
      );

    beforeAll(async () => {
      database = await createTestDatabase();
      fixtures = await startFixtureServer();
      // Static feeds with an ETag: a second poll is a 304.
      farm = feedFarm(
        fixtures,
        30,
        () => 200 + Math.random() * 200,
        (n, req, res) => {
          const etag = `"feed-${n}"`;
          if (req.headers['if-none-match'] === etag) res.writeHead(304, { etag }).end();
          else res.writeHead(200, { 'content-type': 'application/rss+xml', etag }).end(feedBody(n));
        },
      );
    });
    afterAll(async () => {
      await fixtures?.close();
      await database?.close();
    });

    it('share the polling: each source fetched once per due time, no duplicates, each digest published once', async () => {
      const env = {
        DATABASE_URL: database.url!,
        FEEDS_CONFIG: writeConfig(farm.urls, { schedule: '* * * * * *' }),
        LOG_LEVEL: 'debug',
      };
      const instances = [startInstance(env), startInstance(env), startInstance(env)];
      const settled = async (since: Date) => {
        const pending = await database.db
          .selectFrom('sources')
          .select('id')
          .where((eb) => eb.or([eb('last_polled_at', 'is', null), eb('last_polled_at', '<', since), eb('lease_owner', 'is not', null)]))
          .execute();
        return pending.length === 0;
      };
      // A poll's event is written just after its source row: count events, not only rows.
      const events = (outcome: 'stored' | 'not_modified') => database.db.selectFrom('poll_events').select('source_id').where('outcome', '=', outcome).execute();
      const digestJobsDone = (instance: Instance) =>
        ['digest:world', 'digest:korea'].every((job) => instance.logs.some((l) => l.job === job && (l.msg === 'job finished' || l.msg === 'job failed')));

      // First due time: the start-up polls of all three, then their digest catch-up.
      await waitUntil(
        async () => (await settled(new Date(0))) && (await events('stored')).length === farm.urls.length && instances.every(digestJobsDone),
        'the first cycle and the digests are done',
        30_000,
      );
      expect(farm.urls.map((url) => farm.hits(url))).toEqual(farm.urls.map(() => 1));
      const pollsBy = instances.map((i) => i.logs.filter((l) => l.msg === 'poll done').length);
      expect(pollsBy.reduce((a, b) => a + b, 0)).toBe(farm.urls.length);
      expect(pollsBy.filter((n) => n > 0).length).toBeGreaterThan(1); // shared, not one instance doing it all

      // Second due time, for every source at once: the next cron ticks of all three race for it.
      const due = new Date();
      await database.db.updateTable('sources').set({ next_poll_at: due }).execute();
      await waitUntil(async () => (await settled(due)) && (await events('not_modified')).length === farm.urls.length, 'the second cycle is done');
      await wait(500); // time for a duplicate poll to show, if there were one
      expect(farm.urls.map((url) => farm.hits(url))).toEqual(farm.urls.map(() => 2));
      expect(new Set((await events('stored')).map((e) => e.source_id)).size).toBe(farm.urls.length);
      expect(await events('stored')).toHaveLength(farm.urls.length);
      expect(await events('not_modified')).toHaveLength(farm.urls.length);

      // One row per item, one story per article.
      const items = await database.db.selectFrom('items').select(['canonical_url', 'story_id']).execute();
      expect(items).toHaveLength(farm.urls.length * 2);
      const storiesPerUrl = new Map<string, Set<number>>();
      for (const item of items) storiesPerUrl.set(item.canonical_url!, (storiesPerUrl.get(item.canonical_url!) ?? new Set()).add(item.story_id));
      expect([...storiesPerUrl.values()].map((s) => s.size)).toEqual([...storiesPerUrl.values()].map(() => 1));

      // Each instance's start-up digest job ran; each topic's digest of that period exists once.
      const startUp = await database.db.selectFrom('digests').select(['topic', 'period_date']).orderBy('topic').execute();
      expect(startUp).toEqual([
        { topic: 'korea', period_date: latest.date },
        { topic: 'world', period_date: latest.date },
      ]);
      // Three processes build the same digest at once: exactly one publishes it.
      const build = () =>
        run(process.execPath, [path.join(repo, 'bin/tidings.mjs'), 'digest', 'build', '--topic', 'korea', '--date', period.date, '--json'], {
          cwd: repo,
          env: { ...env, LOG_LEVEL: 'warn' },
        }).then(({ stdout }) => (JSON.parse(stdout) as { status: string }).status);
      const statuses = await Promise.all([build(), build(), build()]);
      expect(statuses.sort()).toEqual(['already published (use --force to rebuild)', 'already published (use --force to rebuild)', 'published']);
      const built = await database.db.selectFrom('digests').select(['topic', 'story_ids']).where('period_date', '=', period.date).execute();
      expect(built).toHaveLength(1);
      expect(built[0]!.story_ids.length).toBeGreaterThan(0);

      for (const instance of instances) instance.kill('SIGTERM');
      expect(await Promise.all(instances.map((i) => i.exited))).toEqual(instances.map(() => ({ code: 0, signal: null })));
      expect(
        await database.db.selectFrom('host_slots').select('slot').where('owner', 'is not', null).where(sql<boolean>`lease_until > now()`).execute(),
      ).toEqual([]);
    }, 90_000);
  });
});
