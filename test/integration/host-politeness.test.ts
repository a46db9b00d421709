/**
 * Per-host politeness through the database: `polling.perHost` slots per host and
 * `polling.hostSpacing` between request starts, shared by every poller on one database.
 * Two "instances" are two poll contexts with their own fetcher and lease owner on one
 * database; the fixture server counts what actually reached it. Runs on Postgres and on
 * PGlite (the same SQL; only Postgres lets the two pollers' statements truly interleave).
 *
 * Spacing and lease expiry are checked on the database clock, from what the database recorded
 * (a trigger logs every slot grant and gate advance), never by timing the test: a loaded
 * machine makes a poll slower, which must not fail it.
 */
import type { ServerResponse } from 'node:http';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pollFeeds } from '../../jobs/poll-feeds.ts';
import { parseFeedsConfig } from '../../src/config/load-config.ts';
import { databaseHostGate } from '../../src/app-context.ts';
import { ensureHostSlots, hostSlotHolders, releaseHostSlots, tryAcquireHostSlots } from '../../src/store/host-politeness.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig, testContext, type TestContext } from '../helpers/context.ts';

const HOST = '127.0.0.1';
let database: TestDatabase;
let server: FixtureServer;
const instances: TestContext[] = [];

/** What reached the server: requests in flight now and at most. */
const seen = { inFlight: 0, maxInFlight: 0 };

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startFixtureServer(HOST);
  await logGrants();
});
afterAll(async () => {
  await server.close();
  await database.close();
});
beforeEach(async () => {
  server.reset();
  Object.assign(seen, { inFlight: 0, maxInFlight: 0 });
  await database.db.deleteFrom('sources').execute();
  await database.db.deleteFrom('host_gates').execute();
  await sql`delete from grant_log`.execute(database.db);
});
afterEach(async () => {
  await Promise.all(instances.splice(0).map((i) => i.close()));
});

/** A feed answered after `delayMs`, counted in flight from its first byte in to its last byte out. */
function countedFeed(path: string, delayMs: number) {
  return (_req: unknown, res: ServerResponse) => {
    seen.inFlight += 1;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    let counted = true;
    const done = () => {
      if (counted) seen.inFlight -= 1;
      counted = false;
    };
    res.on('close', done);
    setTimeout(() => {
      done();
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(rssFeed('Polite', [{ guid: `${path}-1`, title: `Item of ${path}`, link: `https://polite.example${path}` }]));
    }, delayMs);
  };
}

async function addSources(paths: string[]) {
  await syncConfigSources(
    database.db,
    paths.map((p) => ({ url: server.url(p), topics: [] })),
    new Date(),
  );
}

/** One poller ("instance") on the shared database, with its own fetcher and owner name. */
function instance(owner: string, polling: Record<string, unknown>, gate: { maxWaitMs?: number } = {}): TestContext {
  const config = testConfig({ polling: { timeoutMs: 2000, maxBytes: 1024 * 1024, allowPrivateNetworks: true, concurrency: 4, perHost: 4, ...polling } });
  const ctx = testContext(database, config, { owner });
  instances.push(ctx);
  return Object.assign(ctx, { now: () => new Date(), hostGate: databaseHostGate(database.db, config.polling, owner, silentLog, gate) });
}

const paths = (n: number) => Array.from({ length: n }, (_, i) => `/feed-${i}.xml`);

/**
 * A test-only log of what the politeness statements did, stamped by the database clock: every
 * slot granted (its owner and lease end) and every gate pushed forward (the host's next start).
 */
async function logGrants() {
  await sql`create table grant_log (id serial primary key, host text not null, slot smallint, owner text, lease_until timestamptz, next_start_at timestamptz, at timestamptz not null default clock_timestamp())`.execute(
    database.db,
  );
  await sql`create function log_slot_grant() returns trigger language plpgsql as $$
    begin
      if new.owner is not null and new.lease_id is distinct from old.lease_id then
        insert into grant_log (host, slot, owner, lease_until) values (new.host, new.slot, new.owner, new.lease_until);
      end if;
      return new;
    end $$`.execute(database.db);
  await sql`create trigger slot_grants after update on host_slots for each row execute function log_slot_grant()`.execute(database.db);
  await sql`create function log_gate_advance() returns trigger language plpgsql as $$
    begin
      insert into grant_log (host, next_start_at) values (new.host, new.next_start_at);
      return new;
    end $$`.execute(database.db);
  await sql`create trigger gate_advances after update of next_start_at on host_gates for each row execute function log_gate_advance()`.execute(database.db);
}

/** Holds every slot of the host for another poller, until `seconds` from now (database clock). */
async function occupySlots(perHost: number, seconds: number) {
  await ensureHostSlots(database.db, HOST, perHost);
  await database.db
    .updateTable('host_slots')
    .set({ owner: 'dead-instance', lease_id: 'lost', lease_until: sql<Date>`clock_timestamp() + make_interval(secs => ${seconds}::double precision)` })
    .where('host', '=', HOST)
    .execute();
}

describe('per-host politeness through the database', () => {
  it.each([1, 2])('never has more than perHost = %i requests in flight to one host across two instances', async (perHost) => {
    const feeds = paths(8);
    for (const p of feeds) server.route(p, countedFeed(p, 120));
    await addSources(feeds);
    const polling = { perHost, hostSpacing: 0 };
    const [a, b] = await Promise.all([pollFeeds(instance('instance-a', polling)), pollFeeds(instance('instance-b', polling))]);
    expect([...a!, ...b!].map((r) => r.outcome)).toEqual(feeds.map(() => 'stored'));
    expect(feeds.map((p) => server.hits(p))).toEqual(feeds.map(() => 1));
    // The cap holds, and is used: requests did overlap up to it.
    expect(seen.maxInFlight).toBe(perHost);
    expect(await hostSlotHolders(database.db)).toEqual([]);
  });

  it('spaces request starts to one host by hostSpacing across two instances', async () => {
    const feeds = paths(5);
    for (const p of feeds) server.route(p, countedFeed(p, 10));
    await addSources(feeds);
    const polling = { perHost: 4, hostSpacing: '300ms' };
    const results = await Promise.all([pollFeeds(instance('instance-a', polling)), pollFeeds(instance('instance-b', polling))]);
    expect(results.flat().map((r) => r.outcome)).toEqual(feeds.map(() => 'stored'));
    expect(feeds.map((p) => server.hits(p))).toEqual(feeds.map(() => 1));
    // A start is granted only once the database clock reaches the host's next start, which the
    // grant then moves to its own time plus the spacing: consecutive next starts at least 300 ms
    // apart mean no start came sooner than 300 ms after the one before.
    const advances = await sql<{ gap_ms: number | null }>`
      select (extract(epoch from next_start_at - lag(next_start_at) over (order by id)) * 1000)::float8 as gap_ms
      from grant_log where host = ${HOST} and next_start_at is not null order by id`.execute(database.db);
    expect(advances.rows).toHaveLength(5);
    expect(advances.rows[0]!.gap_ms).toBeNull();
    for (const { gap_ms } of advances.rows.slice(1)) expect(gap_ms).toBeGreaterThanOrEqual(300);
    // One slot granted per start.
    const grants = await sql<{ owner: string }>`select owner from grant_log where host = ${HOST} and slot is not null`.execute(database.db);
    expect(grants.rows).toHaveLength(5);
  });

  it("takes over a dead instance's slots once their leases expire, and not before", async () => {
    server.route('/feed.xml', countedFeed('/feed.xml', 0));
    await addSources(['/feed.xml']);
    // Expired already: taken on the first try. With no time to wait (maxWaitMs 1 ms), a slot
    // not free at once would hand the source back ('released') instead.
    await occupySlots(1, -1);
    expect((await pollFeeds(instance('survivor', { perHost: 1, hostSpacing: 0 }, { maxWaitMs: 1 })))[0]).toMatchObject({ outcome: 'stored' });
    // Held for 1.5 s more: the poll waits for the lease to run out, then proceeds.
    await database.db
      .updateTable('sources')
      .set({ next_poll_at: new Date(0) })
      .execute();
    await occupySlots(1, 1.5);
    expect((await pollFeeds(instance('survivor', { perHost: 1, hostSpacing: 0 })))[0]).toMatchObject({ outcome: 'stored' });
    expect(server.hits('/feed.xml')).toBe(2);
    expect(await hostSlotHolders(database.db)).toEqual([]);
    // On the database clock, each grant to the survivor came after the dead instance's lease ended.
    const grants = await sql<{ owner: string; after_previous_lease: boolean | null }>`
      select owner, at > lag(lease_until) over (order by id) as after_previous_lease
      from grant_log where host = ${HOST} and slot = 0 order by id`.execute(database.db);
    expect(grants.rows.map((g) => g.owner)).toEqual(['dead-instance', 'survivor', 'dead-instance', 'survivor']);
    expect(grants.rows.filter((g) => g.owner === 'survivor').map((g) => g.after_previous_lease)).toEqual([true, true]);
  });

  it('makes the host rows again when they vanish (an unlogged table emptied by a database crash)', async () => {
    server.route('/feed.xml', countedFeed('/feed.xml', 0));
    await addSources(['/feed.xml']);
    const poller = instance('instance-a', { perHost: 1, hostSpacing: 0 });
    expect((await pollFeeds(poller))[0]).toMatchObject({ outcome: 'stored' });
    await database.db.deleteFrom('host_gates').execute();
    await database.db
      .updateTable('sources')
      .set({ next_poll_at: new Date(0) })
      .execute();
    expect((await pollFeeds(poller))[0]).toMatchObject({ outcome: 'stored' });
    expect(await database.db.selectFrom('host_slots').select(['host', 'slot', 'owner']).execute()).toEqual([{ host: HOST, slot: 0, owner: null }]);
  });

  it('releases the slot when the fetch fails, times out or is aborted', async () => {
    server.route('/error.xml', { body: 'down', status: 500, contentType: 'text/plain' });
    server.route('/reset.xml', (req) => req.socket.resetAndDestroy());
    server.route('/hang.xml', () => {});
    await addSources(['/error.xml', '/reset.xml', '/hang.xml']);
    const results = await pollFeeds(instance('instance-a', { perHost: 1, hostSpacing: 0, timeoutMs: 500 }));
    expect(results.map((r) => r.errorCode).sort()).toEqual(['connection_reset', 'http_server_error', 'timeout']);
    expect(await hostSlotHolders(database.db)).toEqual([]);

    await database.db
      .updateTable('sources')
      .set({ next_poll_at: new Date(0) })
      .execute();
    const controller = new AbortController();
    const polling = pollFeeds(instance('instance-b', { perHost: 1, hostSpacing: 0, timeoutMs: 5000 }), { signal: controller.signal });
    await expect.poll(() => server.hits('/hang.xml')).toBe(2);
    expect(await hostSlotHolders(database.db)).toMatchObject([{ host: HOST, owner: 'instance-b', expired: false }]);
    controller.abort();
    expect((await polling).map((r) => r.outcome)).toContain('released');
    expect(await hostSlotHolders(database.db)).toEqual([]);
  });

  it('hands the source back for a later cycle when the host stays busy, without recording a failure', async () => {
    server.route('/feed.xml', countedFeed('/feed.xml', 0));
    await addSources(['/feed.xml']);
    await occupySlots(1, 60);
    const poller = instance('instance-a', { perHost: 1, hostSpacing: 0, minInterval: '10m' }, { maxWaitMs: 300 });
    const results = await pollFeeds(poller);
    expect(results).toMatchObject([{ outcome: 'released' }]);
    expect(server.hits('/feed.xml')).toBe(0);
    // It gave up after maxWaitMs rather than outwait the busy host: the slot is still held.
    expect(await hostSlotHolders(database.db)).toMatchObject([{ host: HOST, owner: 'dead-instance', expired: false }]);
    const row = await database.db.selectFrom('sources').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ lease_owner: null, error_code: null, consecutive_failures: 0 });
    // Not claimed again in the same cycle: it waits for a later one.
    expect(row.next_poll_at.getTime()).toBeGreaterThan(Date.now() + 9 * 60_000);
  });

  it('stops waiting for a busy host when the poll is aborted, holding no slot', async () => {
    server.route('/feed.xml', countedFeed('/feed.xml', 0));
    await addSources(['/feed.xml']);
    await occupySlots(1, 60);
    const { next_poll_at: due } = await database.db.selectFrom('sources').select('next_poll_at').executeTakeFirstOrThrow();
    const controller = new AbortController();
    // Nothing but the abort can end this wait: the slot is held for a minute, and the gate would
    // wait two (test/unit/ingest/host-slots.test.ts checks the gate's own abort on a fake clock).
    const polling = pollFeeds(instance('instance-a', { perHost: 1, hostSpacing: 0 }, { maxWaitMs: 120_000 }), { signal: controller.signal });
    await expect.poll(async () => (await database.db.selectFrom('sources').select('lease_owner').executeTakeFirstOrThrow()).lease_owner).toBe('instance-a');
    await new Promise((resolve) => setTimeout(resolve, 200)); // on to the gate
    controller.abort();
    expect(await polling).toMatchObject([{ outcome: 'released' }]);
    expect(server.hits('/feed.xml')).toBe(0);
    expect(await hostSlotHolders(database.db)).toMatchObject([{ host: HOST, owner: 'dead-instance', expired: false }]);
    // Handed back as cancelled, still due: not as a busy host, which would defer it to a later cycle.
    expect(await database.db.selectFrom('sources').select(['lease_owner', 'error_code', 'next_poll_at']).executeTakeFirstOrThrow()).toEqual({
      lease_owner: null,
      error_code: null,
      next_poll_at: due,
    });
  });
});

describe('host slots taken and given back in batches (one statement for many polls)', () => {
  const terms = (spacingSeconds: number) => ({ owner: 'instance-a', perHost: 3, spacingSeconds, leaseSeconds: 60 });
  const requests = (host: string, n: number) => Array.from({ length: n }, (_, i) => ({ host, leaseId: `${host}-${i}` }));

  it('grants each host at most its free slots, in request order, and says which hosts have no rows', async () => {
    await ensureHostSlots(database.db, 'a.example', 3);
    await ensureHostSlots(database.db, 'b.example', 3);
    const answers = await tryAcquireHostSlots(database.db, terms(0), [...requests('a.example', 4), ...requests('b.example', 2), ...requests('c.example', 1)]);
    expect(answers.map((a) => a.slot)).toEqual([0, 1, 2, null, 0, 1, null]);
    expect(answers.map((a) => a.known)).toEqual([true, true, true, true, true, true, false]);
    const holders = await hostSlotHolders(database.db);
    expect(holders.map((h) => `${h.host}/${h.slot}`)).toEqual(['a.example/0', 'a.example/1', 'a.example/2', 'b.example/0', 'b.example/1']);

    await releaseHostSlots(database.db, [
      { host: 'a.example', slot: 1, leaseId: 'a.example-1' },
      { host: 'b.example', slot: 0, leaseId: 'b.example-0' },
      // Not its lease (expired and taken by another since): left alone.
      { host: 'a.example', slot: 2, leaseId: 'someone-else' },
    ]);
    expect((await hostSlotHolders(database.db)).map((h) => `${h.host}/${h.slot}`)).toEqual(['a.example/0', 'a.example/2', 'b.example/1']);
    expect((await tryAcquireHostSlots(database.db, terms(0), requests('a.example', 2))).map((a) => a.slot)).toEqual([1, null]);
  });

  it('with spacing, starts one request per host and tells the others to wait the spacing', async () => {
    await ensureHostSlots(database.db, 'a.example', 3);
    const answers = await tryAcquireHostSlots(database.db, terms(60), requests('a.example', 3));
    expect(answers.map((a) => a.slot)).toEqual([0, null, null]);
    expect(answers.slice(1).map((a) => a.spacingWaitMs)).toEqual([60_000, 60_000]);
    // Later, what is left of the spacing: at most what was left just before asking.
    const before = await sql<{ left_ms: number }>`
      select ceil(extract(epoch from next_start_at - clock_timestamp()) * 1000)::int as left_ms from host_gates where host = 'a.example'`.execute(database.db);
    const again = await tryAcquireHostSlots(database.db, terms(60), requests('a.example', 1));
    expect(again[0]!.slot).toBeNull();
    expect(again[0]!.spacingWaitMs).toBeGreaterThan(0);
    expect(again[0]!.spacingWaitMs).toBeLessThanOrEqual(before.rows[0]!.left_ms);
  });
});

describe('polling.hostSpacing in feeds.config.json', () => {
  const spacing = (value?: unknown) =>
    parseFeedsConfig({ polling: value === undefined ? {} : { hostSpacing: value } }, 'feeds.config.json').polling.hostSpacing;
  it('is a duration in seconds, 1 s by default, 0 to turn it off, at most a minute', () => {
    expect([spacing(), spacing('250ms'), spacing('2s'), spacing(0)]).toEqual([1, 0.25, 2, 0]);
    expect(() => spacing('2m')).toThrow('feeds.config.json: polling.hostSpacing: "2m" must be at most 60 s');
    expect(() => spacing('soon')).toThrow(/polling\.hostSpacing: "soon" must be a duration/);
  });
});
