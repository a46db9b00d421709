/**
 * Hostile feed servers, polled in one cycle next to healthy neighbours, through the whole
 * production path: a service built by serve() (real read-feed worker pool, SSRF guard on,
 * fetcher hooks letting only the fixture addresses through), real sockets on 127.0.0.x.
 *
 * Every hostile source must end, stopped by its deadline or a size cap, with a clear error
 * code (or, where recovering is right, with clean stored items); the neighbours' items are
 * all stored; the HTTP server keeps answering; the main heap does not keep what it saw.
 * Nothing here bounds elapsed time: a loaded machine makes the cycle slower, not wrong.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

const HOSTILE_ADDRESS = '127.0.0.2';
const NEIGHBOUR_ADDRESS = '127.0.0.3';
// The deadline that ends the bodies that never end (and the fetches that never finish).
const TIMEOUT_MS = 8_000;
// Above 50 MB, so the 50 MB attribute reaches the parser and the worker's heap cap must hold it.
const MAX_BYTES = 64 * 1024 * 1024;
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

let hostile: FixtureServer; // 127.0.0.2: the hostile feeds (and one calm one)
let neighbours: FixtureServer; // 127.0.0.3: healthy feeds on another host
let internal: FixtureServer; // 127.0.0.1: "an internal service", never to be reached
let service: Service;
let hostileSources: Array<{ url: string; topics: string[] }> = [];

const XML = '<?xml version="1.0" encoding="utf-8"?>';
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Paths whose server never stops on its own, and whether the client has hung up on them. */
const hungUp = new Map<string, boolean>();
function watchHangUp(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void) {
  return (req: IncomingMessage, res: ServerResponse) => {
    hungUp.set(path, false);
    req.socket.once('close', () => hungUp.set(path, true));
    handler(req, res);
  };
}

/** Writes `chunk` while the client reads, until it hangs up: a body that never ends. */
async function endless(_req: IncomingMessage, res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'application/rss+xml' });
  res.write(`${XML}<rss version="2.0"><channel><title>Endless</title>`);
  const chunk = Buffer.alloc(64 * 1024, '<item><title>more</title></item>');
  while (!res.destroyed) {
    if (!res.write(chunk)) await drainedOrClosed(res);
  }
}

/** Resolves on 'drain' or 'close', whichever comes first, and leaves no listener behind. */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** One byte every 100 ms: never idle long enough for the body timeout, never done. */
async function slowloris(_req: IncomingMessage, res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'application/rss+xml' });
  const text = `${XML}<rss version="2.0"><channel><title>Slow</title>`.repeat(100);
  for (let i = 0; !res.destroyed; i++) {
    res.write(text[i % text.length]!);
    await wait(100);
  }
}

/** 1 GiB of zeros as 1,024 concatenated gzip members of 1 MiB each: about 1 MB on the wire. */
function gzipBomb(): Buffer {
  const member = gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
  return Buffer.concat(Array.from({ length: 1024 }, () => member));
}

const billionLaughs = () => {
  const entities = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('');
  return `${XML}<!DOCTYPE rss [<!ENTITY lol "lol">${entities}]><rss version="2.0"><channel><title>Laughs</title>
<item><guid>laughs-1</guid><title>North Korea &lol9;</title><description>&lol9;</description></item></channel></rss>`;
};

const externalEntity = () =>
  `${XML}<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY % remote SYSTEM "${hostile.url('/dtd')}">%remote;]>
<rss version="2.0"><channel><title>XXE</title><item><guid>xxe-1</guid><title>North Korea &xxe;</title><description>&xxe;</description></item></channel></rss>`;

const deepNesting = () =>
  `${XML}<rss version="2.0"><channel><title>Deep</title><item><guid>deep-1</guid><title>North Korea deep</title>
<description>${'<div>'.repeat(10_000)}bottom${'</div>'.repeat(10_000)}</description>${'<x>'.repeat(10_000)}${'</x>'.repeat(10_000)}</item></channel></rss>`;

const hugeAttribute = () =>
  Buffer.concat([
    Buffer.from(`${XML}<rss version="2.0"><channel><title>Attribute</title><item data="`),
    Buffer.alloc(50 * 1024 * 1024, 'a'),
    Buffer.from('"><guid>attr-1</guid><title>North Korea attribute</title></item></channel></rss>'),
  ]);

/**
 * A UTF-8 feed (so labelled, twice) whose Korean text has broken sequences in the middle (a
 * stray 0xFF, a lead byte without its continuation, a truncated three-byte sequence), and
 * a control character.
 */
function invalidUtf8(): Buffer {
  const text = rssFeed('깨진 바이트', [
    { guid: 'utf8-1', title: '북한 소식: 평양 BROKEN 회담 \u0001 end', link: 'https://broken.example/1', description: '남북 정상이 판문점에서 만났다.' },
  ]);
  const bytes = Buffer.from(text);
  const at = bytes.indexOf('BROKEN');
  Buffer.from([0xff, 0xc3, 0x28, 0xe2, 0x82, 0x20]).copy(bytes, at);
  return bytes;
}

const calmFeed = (name: string) =>
  rssFeed(
    name,
    Array.from({ length: 3 }, (_, i) => ({ guid: `${name}-${i}`, title: `North Korea report ${i} from ${name}`, link: `https://${name}.example/${i}` })),
  );

/**
 * The hostile cases: path on the hostile server → what its source must record. The endless
 * body and the gzip bomb are stopped by whichever comes first, maxBytes (64 MB read or
 * inflated) or the deadline (a loaded machine may not move 64 MB in 8 s): either is a right
 * answer, and test/integration/fetch/ checks each cap on its own.
 */
const EXPECTED_ERRORS: Record<string, string | string[]> = {
  '/slowloris.xml': 'timeout',
  '/stalled.xml': 'timeout',
  '/endless.xml': ['too_large', 'timeout'],
  '/gzip-bomb.xml': ['too_large', 'timeout'],
  '/redirect-loop.xml': 'too_many_redirects',
  '/to-internal.xml': 'blocked_address',
  '/to-metadata.xml': 'blocked_address',
  '/huge-attribute.xml': 'too_large',
  '/reset.xml': 'connection_reset',
};
/** Servers that would go on forever: only the client hanging up ends them. */
const NEVER_ENDING = ['/slowloris.xml', '/stalled.xml', '/endless.xml'];
/** Hostile documents that are refused in part and read for the rest. */
const RECOVERED = ['/billion-laughs.xml', '/external-entity.xml', '/deep-nesting.xml', '/invalid-utf8.xml'];

beforeAll(async () => {
  [hostile, neighbours, internal] = await Promise.all([
    startFixtureServer(HOSTILE_ADDRESS),
    startFixtureServer(NEIGHBOUR_ADDRESS),
    startFixtureServer('127.0.0.1'),
  ]);
  internal.route('/feed.xml', { body: calmFeed('internal') });
  hostile.route(
    '/slowloris.xml',
    watchHangUp('/slowloris.xml', (req, res) => void slowloris(req, res)),
  );
  hostile.route(
    '/stalled.xml',
    watchHangUp('/stalled.xml', (_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).write(`${XML}<rss version="2.0"><channel>`)),
  );
  hostile.route(
    '/endless.xml',
    watchHangUp('/endless.xml', (req, res) => void endless(req, res)),
  );
  const bomb = gzipBomb();
  hostile.route('/gzip-bomb.xml', (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip', 'content-length': bomb.length }).end(bomb),
  );
  hostile.route('/redirect-loop.xml', (_req, res) => res.writeHead(302, { location: '/redirect-loop-2.xml' }).end());
  hostile.route('/redirect-loop-2.xml', (_req, res) => res.writeHead(302, { location: '/redirect-loop.xml' }).end());
  hostile.route('/to-internal.xml', (_req, res) => res.writeHead(302, { location: internal.url('/feed.xml') }).end());
  hostile.route('/to-metadata.xml', (_req, res) => res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
  hostile.route('/huge-attribute.xml', { body: hugeAttribute() });
  hostile.route('/reset.xml', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    res.write(`${XML}<rss version="2.0"><channel><title>Reset</title>`, () => req.socket.resetAndDestroy());
  });
  hostile.route('/billion-laughs.xml', { body: billionLaughs() });
  hostile.route('/external-entity.xml', { body: externalEntity() });
  hostile.route('/deep-nesting.xml', { body: deepNesting() });
  hostile.route('/invalid-utf8.xml', { body: invalidUtf8(), contentType: 'application/rss+xml; charset=utf-8' });
  hostile.route('/calm.xml', { body: calmFeed('calm') });
  neighbours.route('/one.xml', { body: calmFeed('one') });
  neighbours.route('/two.xml', { body: calmFeed('two') });

  hostileSources = [...Object.keys(EXPECTED_ERRORS), ...RECOVERED, '/calm.xml'].map((path) => ({ url: hostile.url(path), topics: ['korea'] }));
  const neighbourSources = ['/one.xml', '/two.xml'].map((path) => ({ url: neighbours.url(path), topics: ['korea'] }));
  const config = testConfig({
    sources: [...hostileSources, ...neighbourSources],
    polling: {
      schedule: '0 0 1 1 *', // only the cycle this test starts
      timeoutMs: TIMEOUT_MS,
      maxBytes: MAX_BYTES,
      allowPrivateNetworks: false,
      concurrency: 16,
      perHost: 16,
      hostSpacing: 0,
    },
  });
  const allowed = new Set([HOSTILE_ADDRESS, NEIGHBOUR_ADDRESS]);
  service = await serve({ ...readEnv({}), port: 0, publicUrl: 'http://feeds.test' }, config, silentLog, {
    handleSignals: false,
    pollAtStart: false,
    database: await createTestDatabase(),
    fetcherHooks: { isAllowedAddress: (address) => allowed.has(address) },
  });
});
afterAll(async () => {
  await service?.stop();
  await Promise.all([hostile?.close(), neighbours?.close(), internal?.close()]);
});

/** The main heap after a full collection (node's gc, exposed at run time). */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Asks /healthz every 50 ms until stopped; returns each answer's status (0: the request
 * failed) and whether `during()` held when it came back.
 */
function watchHealth(url: string, during: () => boolean) {
  const answers: Array<{ status: number; during: boolean }> = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const status = await fetch(`${url}/healthz`).then(
        (r) => r.status,
        () => 0,
      );
      answers.push({ status, during: during() });
      await wait(50);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return answers;
    },
  };
}

const db = () => service.context.db;
const sourceRow = (url: string) => db().selectFrom('sources').selectAll().where('url', '=', url).executeTakeFirstOrThrow();
const itemsOf = async (url: string) => {
  const source = await sourceRow(url);
  return db().selectFrom('items').selectAll().where('source_id', '=', source.id).execute();
};

describe('hostile feeds in one poll cycle', () => {
  let health: Array<{ status: number; during: boolean }> = [];
  let heapGrowth = 0;

  beforeAll(async () => {
    // One request first, so the baseline already holds what a serving HTTP server holds.
    await fetch(`${service.url}/healthz`);
    const baseline = heapAfterGc();
    let polling = true;
    const watcher = watchHealth(service.url, () => polling);
    // Ends when every poll has: a hostile source that hung it would fail this hook's timeout.
    await service.pollNow();
    polling = false;
    health = await watcher.stop();
    heapGrowth = heapAfterGc() - baseline;
  }, 120_000);

  it('ends the cycle with one recorded poll per source and nothing left claimed', async () => {
    const sources = await db().selectFrom('sources').select(['id', 'url', 'lease_owner']).execute();
    expect(sources).toHaveLength(hostileSources.length + 2);
    expect(sources.filter((s) => s.lease_owner !== null)).toEqual([]);
    const events = await db().selectFrom('poll_events').select('source_id').execute();
    expect(events.map((e) => e.source_id).sort()).toEqual(sources.map((s) => s.id).sort());
    expect(await db().selectFrom('host_slots').select('host').where('owner', 'is not', null).execute()).toEqual([]);
  });

  it.each(Object.entries(EXPECTED_ERRORS))('%s fails with %s and a message an admin can act on', async (path, code) => {
    const row = await sourceRow(hostile.url(path));
    expect([code].flat()).toContain(row.error_code);
    expect(row).toMatchObject({ consecutive_failures: 1, lease_owner: null, enabled: true });
    expect(row.error_message).toBeTruthy();
    expect(await itemsOf(hostile.url(path))).toEqual([]);
  });

  it('hangs up on every server that would never stop: the deadline or the size cap ended each', () => {
    expect(Object.fromEntries(NEVER_ENDING.map((path) => [path, hungUp.get(path)]))).toEqual(Object.fromEntries(NEVER_ENDING.map((path) => [path, true])));
  });

  it('never reaches the internal address a redirect points to', () => {
    expect(hostile.hits('/to-internal.xml')).toBe(1);
    expect(internal.totalHits()).toBe(0);
  });

  it('refuses entity expansion: billion laughs stay a literal reference, external entities are never read', async () => {
    const laughs = await itemsOf(hostile.url('/billion-laughs.xml'));
    expect(laughs).toHaveLength(1);
    expect(laughs[0]!.title).not.toContain('lollol');
    const xxe = await itemsOf(hostile.url('/external-entity.xml'));
    expect(xxe).toHaveLength(1);
    expect(hostile.hits('/dtd')).toBe(0);
    const passwd = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;
    const everything = JSON.stringify(await db().selectFrom('items').selectAll().execute());
    expect(everything).not.toContain(passwd);
    expect(everything).not.toContain('file:///etc/passwd');
    expect(everything.length).toBeLessThan(1_000_000); // nothing expanded, nothing huge stored
  });

  it('reads a 10,000-level nested document and stores its item', async () => {
    expect(await sourceRow(hostile.url('/deep-nesting.xml'))).toMatchObject({ error_code: null });
    expect((await itemsOf(hostile.url('/deep-nesting.xml'))).map((i) => i.title)).toEqual(['North Korea deep']);
  });

  it('decodes invalid UTF-8 with replacement characters and stores no control characters', async () => {
    const [item] = await itemsOf(hostile.url('/invalid-utf8.xml'));
    expect(item!.title).toMatch(/^북한 소식: 평양 \uFFFD+\(\uFFFD+ 회담 +end$/);
    expect(item!.summary).toBe('남북 정상이 판문점에서 만났다.');
    const items = await db().selectFrom('items').select(['title', 'summary', 'content_html']).execute();
    for (const stored of items) expect(`${stored.title}${stored.summary}${stored.content_html ?? ''}`).not.toMatch(CONTROL_CHARACTERS);
  });

  it("stores every neighbour's items, on the hostile host and on another", async () => {
    for (const url of [hostile.url('/calm.xml'), neighbours.url('/one.xml'), neighbours.url('/two.xml')]) {
      expect(await sourceRow(url)).toMatchObject({ error_code: null, last_status: 200 });
      expect(await itemsOf(url)).toHaveLength(3);
    }
    const feed = (await (await fetch(`${service.url}/topics/korea/feed.json`)).json()) as { items: Array<{ title: string }> };
    expect(feed.items.map((i) => i.title)).toEqual(expect.arrayContaining(['North Korea report 0 from one', 'North Korea report 2 from calm']));
  });

  it('keeps the HTTP server answering throughout the cycle', () => {
    // Every probe answered, none failed, and more than one came back while the hostile fetches
    // were in flight (the cycle lasts at least the deadline: the slowloris runs until it).
    // Parsing runs in workers: the 50 MB attribute alone takes seconds to fail there.
    expect(health.filter((a) => a.status !== 200)).toEqual([]);
    expect(health.filter((a) => a.during).length).toBeGreaterThan(1);
  });

  it('leaves the main heap about where it was', () => {
    expect(heapGrowth).toBeLessThan(48 * 1024 * 1024);
  });
});
