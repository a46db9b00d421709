/**
 * The three formats of a topic document move together, whichever process regenerates it:
 * the service serves all three of one generation after its next sync, a concurrent
 * regeneration cannot leave the formats from different renders, and `?limit=` variants
 * follow their document's generation.
 */
import {
  sql,
  TableNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDigest, periodForDate } from '../../jobs/build-digests.ts';
import { adminActions } from '../../jobs/index.ts';
import { regenerateFeeds } from '../../jobs/regenerate-feeds.ts';
import { adminContext } from '../../src/admin/context.ts';
import { createAdminApi } from '../../src/admin/api.ts';
import type { AppContext } from '../../src/app-context.ts';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { createTestDatabase, testDatabaseUrl } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

let fixtures: FixtureServer | undefined;
let service: Service | undefined;

afterEach(async () => {
  await service?.stop();
  await fixtures?.close();
  service = fixtures = undefined;
});

const ADMIN_TOKEN = 'generations-test-admin-token-0123456789';

/** A service with two Korea sources polled once; its own database. */
async function startService(): Promise<Service> {
  fixtures = await startFixtureServer();
  fixtures.route('/wire.xml', {
    body: rssFeed('Wire', [{ guid: 'w1', title: 'North Korea fires missile', link: 'https://wire.example/nk', pubDate: 'Mon, 23 Nov 2026 08:00:00 GMT' }]),
  });
  fixtures.route('/daily.xml', {
    body: rssFeed('Daily', [{ guid: 'd1', title: 'Seoul hosts summit', link: 'https://daily.example/summit', pubDate: 'Mon, 23 Nov 2026 10:00:00 GMT' }]),
  });
  const config = testConfig({
    sources: [
      { url: fixtures.url('/wire.xml'), title: 'Wire' },
      { url: fixtures.url('/daily.xml'), title: 'Daily' },
    ],
  });
  service = await serve({ ...readEnv({ ADMIN_TOKEN }), port: 0, publicUrl: 'http://feeds.test' }, config, silentLog, {
    handleSignals: false,
    database: await createTestDatabase(),
    pollAtStart: false,
  });
  await service.pollNow();
  return service;
}

/** What another process (the CLI) works with: same database, no hold on the service's cache. */
function otherProcess(service: Service, overrides: Partial<AppContext> = {}): AppContext {
  return { ...service.context, rendered: { add: () => {}, notify: () => {} }, ...overrides };
}

/** Words of the title of Korea's digest of 24 November 2026. */
const DIGEST_TITLE = 'daily digest: Monday 23 November, 07:00 – Tuesday 24 November, 07:00 UTC';

/** Publishes Korea's digest of 24 November 2026 (the fixtures' day) and renders it, as `tidings digest build` does. */
async function publishDigest(service: Service, cli: AppContext = otherProcess(service)): Promise<void> {
  const topic = service.context.topics.current().list[0]!;
  const built = await buildDigest(cli, { topic, period: periodForDate(topic, '2026-11-24'), replace: true });
  expect(built).toMatchObject({ published: true, title: expect.stringContaining(DIGEST_TITLE) });
}

const FILES = ['rss.xml', 'atom.xml', 'feed.json'] as const;
const text = async (service: Service, path: string) => (await fetch(`${service.url}${path}`)).text();
/** Which of the digest's three formats (as served) mention `words`. */
const digestFormatsWith = async (service: Service, words: string) =>
  Object.fromEntries(await Promise.all(FILES.map(async (file) => [file, (await text(service, `/topics/korea/digest/${file}`)).includes(words)])));
const ALL_THREE = { 'rss.xml': true, 'atom.xml': true, 'feed.json': true };

describe('documents another process regenerates', () => {
  it('serves all three formats of a digest the CLI published after one sync, whatever its clock says', async () => {
    const service = await startService();
    // The CLI runs on a host whose clock is two minutes behind the service's.
    await publishDigest(service, otherProcess(service, { now: () => new Date(Date.now() - 120_000) }));
    expect(await digestFormatsWith(service, DIGEST_TITLE)).toEqual({ 'rss.xml': false, 'atom.xml': false, 'feed.json': false });
    await service.syncFeeds();
    expect(await digestFormatsWith(service, DIGEST_TITLE)).toEqual(ALL_THREE);
  });

  it('drops ?limit= variants when their document changes: a deleted source is gone right after the next sync', async () => {
    const service = await startService();
    const limited = () => text(service, '/topics/korea/feed.json?limit=10');
    expect(await limited()).toContain('Seoul hosts summit');
    const cli = otherProcess(service);
    const admin = createAdminApi(adminContext(cli, adminActions(cli))); // as `tidings sources remove` does
    const daily = (await admin.listSources()).find((s) => s.url.endsWith('/daily.xml'))!;
    await admin.removeSource(daily.id);
    await service.syncFeeds();
    expect(await text(service, '/topics/korea/feed.json')).not.toContain('Seoul hosts summit');
    expect(await limited()).not.toContain('Seoul hosts summit');
    expect(await limited()).toContain('North Korea fires missile');
  });
});

describe('documents this service regenerates', () => {
  it('serves the change at once, in the default document and its ?limit= variants, with no sync', async () => {
    const service = await startService();
    const paths = ['/topics/korea/feed.json', '/topics/korea/rss.xml?limit=10', '/topics/korea/atom.xml?limit=100'];
    for (const path of paths) expect(await text(service, path)).toContain('Seoul hosts summit');
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const sources = ((await (await fetch(`${service.url}/admin/api/sources`, { headers })).json()) as { sources: Array<{ id: number; url: string }> }).sources;
    const daily = sources.find((s) => s.url.endsWith('/daily.xml'))!;
    expect((await fetch(`${service.url}/admin/api/sources/${daily.id}`, { method: 'DELETE', headers })).status).toBe(200);
    for (const path of paths) expect(await text(service, path), path).not.toContain('Seoul hosts summit');
  });
});

/** Holds the results of matching queries until released: interleaves two writers deterministically. */
class PauseAfter implements KyselyPlugin {
  paused = false;
  release!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  private readonly matching = new WeakSet<QueryId>();
  private seen = 0;

  constructor(
    private readonly matches: (node: RootOperationNode) => boolean,
    private readonly nth: number,
  ) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (this.matches(args.node)) this.matching.add(args.queryId);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.matching.has(args.queryId) && ++this.seen === this.nth) {
      this.paused = true;
      await this.gate;
    }
    return args.result;
  }
}

/** The table a select reads from, or an insert writes to. */
function tableOf(node: RootOperationNode): string | undefined {
  const table = node.kind === 'SelectQueryNode' ? node.from?.froms[0] : node.kind === 'InsertQueryNode' ? node.into : undefined;
  return table !== undefined && TableNode.is(table) ? table.table.identifier.name : undefined;
}

async function waitUntil(condition: () => Promise<boolean> | boolean, label: string): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > 10_000) throw new Error(`timed out waiting until ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Two writers at once need two connections: real Postgres (PGlite has one).
describe.runIf(testDatabaseUrl !== null)('two processes regenerating one digest at once', () => {
  it('leaves the three formats of the later render, never a mix of both', async () => {
    const service = await startService();
    const { db } = service.context.database;
    // The service starts re-rendering the digest and has read the digests (none yet) ...
    const serviceReads = new PauseAfter((node) => tableOf(node) === 'digests', 1);
    const serviceRender = regenerateFeeds(otherProcess(service, { db: db.withPlugin(serviceReads) }), { topics: ['korea'], kinds: ['digest'] });
    await waitUntil(() => serviceReads.paused, 'the service has read the digests');
    // ... when the CLI publishes one and saves its render: here, two formats of three so far.
    const cliWrites = new PauseAfter((node) => tableOf(node) === 'rendered_feeds', 2);
    const cliRender = publishDigest(service, otherProcess(service, { db: db.withPlugin(cliWrites) }));
    const waitingOnLock = async () =>
      Number(
        (
          await sql<{
            n: number;
          }>`select count(*) as n from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`.execute(
            db,
          )
        ).rows[0]!.n,
      ) > 0;
    await waitUntil(async () => cliWrites.paused || (await waitingOnLock()), 'the CLI is saving its render');
    serviceReads.release();
    await serviceRender;
    cliWrites.release();
    await cliRender;

    const stored = await db
      .selectFrom('rendered_feeds')
      .select(['format', 'body'])
      .where('topic', '=', 'korea')
      .where('kind', '=', 'digest')
      .orderBy('format')
      .execute();
    expect(Object.fromEntries(stored.map((row) => [row.format, row.body.includes(DIGEST_TITLE)]))).toEqual({ atom: true, json: true, rss: true });
    await service.syncFeeds();
    expect(await digestFormatsWith(service, DIGEST_TITLE)).toEqual(ALL_THREE);
  });
});
