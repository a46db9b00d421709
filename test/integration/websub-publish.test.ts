/**
 * WebSub out, the publisher side (W3C WebSub, 2018, §4 and §6): every topic and digest
 * document names its hubs and itself, in the body and in the Link header, and a change of a
 * document is pinged to each hub (hub.mode=publish) once, through the guarded requester, with
 * retries and backoff when a hub fails. A real round trip on 127.0.0.1: a feed server, the
 * service, a test hub.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendWebSubRequests } from '../../jobs/websub-deliveries.ts';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { outboxCounts } from '../../src/store/websub-outbox.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

const PUBLIC_URL = 'http://feeds.test';
const KOREA_URLS = ['rss.xml', 'atom.xml', 'feed.json'].map((file) => `${PUBLIC_URL}/topics/korea/${file}`);

let feeds: FixtureServer;
let hub: FixtureServer;
let service: Service;
let clock = new Date('2026-11-23T12:00:00Z');
/** The publish pings the test hub accepted (answered 2xx): `hub.url` of each, in order. */
const pings: string[] = [];
let hubStatus = 204;

const story = (n: number) => ({
  guid: `s${n}`,
  title: `Seoul story ${n}`,
  link: `https://wire.example/${n}`,
  pubDate: 'Mon, 23 Nov 2026 08:00:00 GMT',
  description: 'Text.',
});

function hubHandler(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    const form = new URLSearchParams(body);
    if (req.method === 'POST' && req.headers['content-type'] === 'application/x-www-form-urlencoded' && form.get('hub.mode') === 'publish' && hubStatus < 300) {
      pings.push(form.get('hub.url') ?? '(none)');
    }
    res.writeHead(hubStatus).end();
  });
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Moves the clock past every source's next poll and polls with the feed's new stories. */
async function publishAndPoll(stories: number[]): Promise<void> {
  feeds.route('/wire.xml', { body: rssFeed('Wire', stories.map(story)) });
  clock = new Date(clock.getTime() + 60_000);
  await service.context.db.updateTable('sources').set({ next_poll_at: clock }).execute();
  await service.pollNow();
}

beforeAll(async () => {
  feeds = await startFixtureServer();
  hub = await startFixtureServer();
  hub.route('/hub', hubHandler);
  feeds.route('/wire.xml', { body: rssFeed('Wire', [story(1)]) });
  const config = testConfig({ sources: [{ url: feeds.url('/wire.xml'), title: 'Wire' }], websub: { hubs: [hub.url('/hub')] } });
  service = await serve({ ...readEnv({}), port: 0, publicUrl: PUBLIC_URL }, config, silentLog, {
    handleSignals: false,
    database: await createTestDatabase(),
    now: () => clock,
  });
  // The start-up poll and digest catch-up render the documents once: their pings are the first test's.
  await service.pollNow();
  await service.digestsNow();
});
afterAll(async () => {
  await service?.stop();
  await feeds?.close();
  await hub?.close();
});

describe('hub links in the documents (WebSub §4)', () => {
  it('names the hub and the document itself in Atom, RSS and JSON Feed, topic and digest alike', async () => {
    for (const prefix of ['/topics/korea', '/topics/korea/digest']) {
      const atom = await (await fetch(`${service.url}${prefix}/atom.xml`)).text();
      expect(atom).toContain(`<link rel="hub" href="${hub.url('/hub')}"/>`);
      expect(atom).toContain(`<link rel="self" type="application/atom+xml" href="${PUBLIC_URL}${prefix}/atom.xml"/>`);
      const rss = await (await fetch(`${service.url}${prefix}/rss.xml`)).text();
      expect(rss).toContain(`<atom:link href="${hub.url('/hub')}" rel="hub"/>`);
      expect(rss).toContain(`<atom:link href="${PUBLIC_URL}${prefix}/rss.xml" rel="self"`);
      const json = (await (await fetch(`${service.url}${prefix}/feed.json`)).json()) as { hubs: unknown; feed_url: string };
      expect(json.hubs).toEqual([{ type: 'WebSub', url: hub.url('/hub') }]);
      expect(json.feed_url).toBe(`${PUBLIC_URL}${prefix}/feed.json`);
    }
  });

  it('sends the Link header on the fast path and on fastify routes alike', async () => {
    const expected = `<${hub.url('/hub')}>; rel="hub", <${PUBLIC_URL}/topics/korea/atom.xml>; rel="self"`;
    expect((await fetch(`${service.url}/topics/korea/atom.xml`)).headers.get('link')).toBe(expected);
    expect((await fetch(`${service.url}/topics/korea/atom.xml?limit=5`)).headers.get('link')).toBe(expected);
    const variant = await (await fetch(`${service.url}/topics/korea/rss.xml?limit=5`)).text();
    expect(variant).toContain(`<atom:link href="${hub.url('/hub')}" rel="hub"/>`);
    expect((await fetch(`${service.url}/topics/korea/digest/feed.json`)).headers.get('link')).toContain(
      `<${PUBLIC_URL}/topics/korea/digest/feed.json>; rel="self"`,
    );
  });
});

describe('publish pings (hub.mode=publish)', () => {
  it('pings the hub with each format of a document whose content changed, once each', async () => {
    await until(
      async () => KOREA_URLS.every((url) => pings.includes(url)) && (await outboxCounts(service.context.db)).publish === undefined,
      'the first pings',
    );
    pings.length = 0;
    await publishAndPoll([1, 2]);
    // Two more senders, as other instances would run: still one ping per changed document URL.
    const other = { ...service.context, owner: 'other-instance' };
    await Promise.all([sendWebSubRequests(other), sendWebSubRequests({ ...other, owner: 'third' })]);
    await until(async () => pings.length >= 3 && (await outboxCounts(service.context.db)).publish === undefined, 'the pings of the second poll');
    expect(pings.sort()).toEqual([...KOREA_URLS].sort());
  });

  it('pings nothing when a poll changes nothing', async () => {
    pings.length = 0;
    await publishAndPoll([1, 2]);
    await sendWebSubRequests(service.context);
    expect(await outboxCounts(service.context.db)).toEqual({});
    expect(pings).toEqual([]);
  });

  it('retries a failing hub with backoff, counts the failures, and pings once it answers', async () => {
    pings.length = 0;
    hubStatus = 503;
    await publishAndPoll([1, 2, 3]);
    await until(
      async () => (await service.context.db.selectFrom('websub_outbox').select('attempts').execute()).every((row) => row.attempts === 1),
      'a failed attempt',
    );
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/tidings_websub_requests_total\{kind="publish",outcome="failed"\} 3/);
    // Not before the backoff has passed…
    await sendWebSubRequests(service.context);
    expect((await outboxCounts(service.context.db)).publish).toBe(3);
    // …then sent.
    hubStatus = 202;
    clock = new Date(clock.getTime() + 60_000);
    await sendWebSubRequests(service.context);
    expect(await outboxCounts(service.context.db)).toEqual({});
    expect(pings.filter((url) => KOREA_URLS.includes(url))).toHaveLength(3);
  });
});
