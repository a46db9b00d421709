/**
 * The built-in WebSub hub (W3C WebSub, 2018, §5-§7), with a real subscriber on 127.0.0.1:
 * it discovers the hub from a topic's Link header, subscribes, confirms the challenge GET,
 * and receives the changed document signed with its secret; a 410 ends its subscription,
 * as does the end of its lease; malformed requests get 400 with the usual error body.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendWebSubRequests } from '../../jobs/websub-deliveries.ts';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { hubSubscriptions } from '../../src/store/websub-hub.ts';
import { outboxCounts } from '../../src/store/websub-outbox.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

const SECRET = 'a subscriber secret';

interface Delivery {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

let feeds: FixtureServer;
let subscriber: FixtureServer;
let service: Service;
let clock = new Date('2026-11-23T12:00:00Z');
const verifications: URLSearchParams[] = [];
const deliveries: Delivery[] = [];
/** How the subscriber answers: echo the challenge or not, and the status of a delivery. */
const behaviour = { echo: true, deliveryStatus: 200 };

const story = (n: number) => ({
  guid: `s${n}`,
  title: `Seoul story ${n}`,
  link: `https://wire.example/${n}`,
  pubDate: 'Mon, 23 Nov 2026 08:00:00 GMT',
  description: 'Text.',
});

function callback(req: IncomingMessage, res: ServerResponse): void {
  const parts: Buffer[] = [];
  req.on('data', (chunk: Buffer) => parts.push(chunk));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://subscriber');
    if (req.method === 'GET') {
      verifications.push(url.searchParams);
      res.writeHead(200).end(behaviour.echo ? url.searchParams.get('hub.challenge') : 'no');
      return;
    }
    deliveries.push({ path: url.pathname, headers: req.headers, body: Buffer.concat(parts) });
    res.writeHead(behaviour.deliveryStatus).end();
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const outboxEmpty = async () => Object.keys(await outboxCounts(service.context.db)).length === 0;

async function publishAndPoll(stories: number[]): Promise<void> {
  feeds.route('/wire.xml', { body: rssFeed('Wire', stories.map(story)) });
  clock = new Date(clock.getTime() + 60_000);
  await service.context.db.updateTable('sources').set({ next_poll_at: clock }).execute();
  await service.pollNow();
}

function subscribe(fields: Record<string, string>): Promise<Response> {
  return fetch(`${service.url}/websub/hub`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Discovery (§4): the hub and the topic URL from a document's Link header. */
async function discover(path: string): Promise<{ hub: string; self: string }> {
  const link = (await fetch(`${service.url}${path}`)).headers.get('link') ?? '';
  const hub = /<([^>]+)>; rel="hub"/.exec(link)?.[1];
  const self = /<([^>]+)>; rel="self"/.exec(link)?.[1];
  if (!hub || !self) throw new Error(`no hub in "${link}"`);
  return { hub, self };
}

beforeAll(async () => {
  feeds = await startFixtureServer();
  subscriber = await startFixtureServer();
  subscriber.route('/callback', callback);
  subscriber.route('/other-callback', callback);
  feeds.route('/wire.xml', { body: rssFeed('Wire', [story(1)]) });
  const port = await freePort();
  const config = testConfig({ sources: [{ url: feeds.url('/wire.xml'), title: 'Wire' }], websub: { builtin: true } });
  service = await serve({ ...readEnv({}), port, publicUrl: `http://127.0.0.1:${port}` }, config, silentLog, {
    handleSignals: false,
    database: await createTestDatabase(),
    now: () => clock,
  });
  await service.pollNow();
  await service.digestsNow();
});
afterAll(async () => {
  await service?.stop();
  await feeds?.close();
  await subscriber?.close();
});

describe('the built-in hub (WebSub §5-§7)', () => {
  it('verifies a subscriber found through discovery and sends it the changed document, signed', async () => {
    const { hub, self } = await discover('/topics/korea/atom.xml');
    expect(hub).toBe(`${service.url}/websub/hub`);
    const answer = await subscribe({
      'hub.mode': 'subscribe',
      'hub.topic': self,
      'hub.callback': subscriber.url('/callback'),
      'hub.secret': SECRET,
      'hub.lease_seconds': '3600',
    });
    expect(answer.status).toBe(202);
    await until(async () => (await hubSubscriptions(service.context.db)).length === 1, 'the verified subscription');
    expect(Object.fromEntries(verifications[0]!)).toMatchObject({ 'hub.mode': 'subscribe', 'hub.topic': self, 'hub.lease_seconds': '3600' });
    const [subscription] = await hubSubscriptions(service.context.db);
    expect(subscription!.expires_at).toEqual(new Date(clock.getTime() + 3_600_000));

    await until(outboxEmpty, 'the start-up requests');
    deliveries.length = 0;
    await publishAndPoll([1, 2]);
    await until(() => deliveries.length === 1, 'the content distribution');
    const [delivery] = deliveries;
    const served = Buffer.from(await (await fetch(`${service.url}/topics/korea/atom.xml`)).arrayBuffer());
    expect(delivery!.body.equals(served)).toBe(true);
    expect(delivery!.body.toString()).toContain('Seoul story 2');
    expect(delivery!.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(delivery!.headers.link).toBe(`<${hub}>; rel="hub", <${self}>; rel="self"`);
    expect(delivery!.headers['x-hub-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(delivery!.body).digest('hex')}`);
  });

  it('stores nothing when the callback does not echo the challenge', async () => {
    behaviour.echo = false;
    const { self } = await discover('/topics/korea/feed.json');
    expect((await subscribe({ 'hub.mode': 'subscribe', 'hub.topic': self, 'hub.callback': subscriber.url('/other-callback') })).status).toBe(202);
    await sendWebSubRequests(service.context);
    await until(outboxEmpty, 'the refused verification');
    behaviour.echo = true;
    expect((await hubSubscriptions(service.context.db)).map((s) => s.callback_url)).toEqual([subscriber.url('/callback')]);
  });

  it('ends a subscription whose callback answers 410 Gone', async () => {
    behaviour.deliveryStatus = 410;
    deliveries.length = 0;
    await publishAndPoll([1, 2, 3]);
    await until(() => deliveries.length === 1, 'the delivery answered 410');
    await until(outboxEmpty, 'the delivery to end');
    behaviour.deliveryStatus = 200;
    expect(await hubSubscriptions(service.context.db)).toEqual([]);
  });

  it('drops a subscription whose lease ended, and removes one on a verified unsubscribe', async () => {
    const { self } = await discover('/topics/korea/rss.xml');
    const fields = { 'hub.topic': self, 'hub.callback': subscriber.url('/callback'), 'hub.lease_seconds': '300' };
    await subscribe({ 'hub.mode': 'subscribe', ...fields });
    await until(async () => (await hubSubscriptions(service.context.db)).length === 1, 'the renewed subscription');
    clock = new Date(clock.getTime() + 301_000);
    await sendWebSubRequests(service.context);
    expect(await hubSubscriptions(service.context.db)).toEqual([]);

    await subscribe({ 'hub.mode': 'subscribe', ...fields });
    await until(async () => (await hubSubscriptions(service.context.db)).length === 1, 'the new subscription');
    expect((await subscribe({ 'hub.mode': 'unsubscribe', ...fields })).status).toBe(202);
    await until(async () => (await hubSubscriptions(service.context.db)).length === 0, 'the unsubscription');
    expect(verifications.at(-1)!.get('hub.mode')).toBe('unsubscribe');
  });

  it('refuses malformed requests with 400 and a stable code', async () => {
    const topic = `${service.url}/topics/korea/atom.xml`;
    const callbackUrl = subscriber.url('/callback');
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'hub.mode': 'publish', 'hub.topic': topic, 'hub.callback': callbackUrl }, 'invalid_mode'],
      [{ 'hub.mode': 'subscribe', 'hub.topic': 'https://elsewhere.example/feed', 'hub.callback': callbackUrl }, 'unknown_topic'],
      [{ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': 'ftp://x/' }, 'invalid_callback'],
      [{ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': callbackUrl, 'hub.lease_seconds': 'soon' }, 'invalid_lease'],
      [{ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': callbackUrl, 'hub.secret': 'x'.repeat(200) }, 'invalid_secret'],
    ];
    for (const [fields, code] of cases) {
      const answer = await subscribe(fields);
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    expect(await outboxCounts(service.context.db)).toEqual({});
  });
});
