/**
 * A WebSub hub for tests (W3C WebSub §5, §7), on 127.0.0.1: takes subscribe and unsubscribe
 * requests (answers 202), verifies each with a GET to the callback carrying a random
 * challenge (the subscription holds only if the subscriber echoes it), and pushes content to
 * verified subscribers signed with their secret (X-Hub-Signature: sha256=…), or forged.
 * Used by test/integration/websub-push.test.ts and the simulated week.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hubSignature } from '../../src/ingest/hub-signature.ts';

export interface HubSubscription {
  topic: string;
  callback: string;
  secret: string;
  leaseSeconds: number;
}

export interface HubRequest {
  mode: string;
  topic: string;
  callback: string;
  /** The subscriber's answer to the verification: whether it echoed the challenge. */
  verified?: boolean;
}

export interface TestHub {
  url: string;
  /** Every (un)subscribe request received, in order. */
  requests: HubRequest[];
  /** Verified subscriptions of a topic. */
  subscribers(topic: string): HubSubscription[];
  /** Resolves once every verification started so far is done. */
  idle(): Promise<void>;
  /** Pushes `body` to every verified subscriber of `topic`, signed; the subscribers' statuses. */
  publish(topic: string, body: string, contentType?: string): Promise<number[]>;
  /** Pushes to a callback with the given X-Hub-Signature header (null: none). */
  pushRaw(callback: string, body: string | Buffer, signature: string | null, contentType?: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * `leaseSeconds`: what the hub grants, whatever was asked; `resolveCallback`: where a callback
 * URL is reached (the simulation's PUBLIC_URL names no port).
 */
export async function startTestHub(options: { leaseSeconds?: number; resolveCallback?: (callback: string) => string } = {}): Promise<TestHub> {
  const granted = options.leaseSeconds ?? 86_400;
  const reach = options.resolveCallback ?? ((callback: string) => callback);
  const subscriptions = new Map<string, HubSubscription>();
  const requests: HubRequest[] = [];
  const pending = new Set<Promise<void>>();

  async function verify(request: HubRequest, form: URLSearchParams): Promise<void> {
    const challenge = randomBytes(12).toString('hex');
    const url = new URL(reach(request.callback));
    url.searchParams.set('hub.mode', request.mode);
    url.searchParams.set('hub.topic', request.topic);
    url.searchParams.set('hub.challenge', challenge);
    if (request.mode === 'subscribe') url.searchParams.set('hub.lease_seconds', String(granted));
    const answer = await fetch(url).catch(() => null);
    request.verified = answer !== null && answer.status >= 200 && answer.status < 300 && (await answer.text()) === challenge;
    if (!request.verified) return;
    const key = `${request.topic} ${request.callback}`;
    if (request.mode === 'subscribe')
      subscriptions.set(key, { topic: request.topic, callback: request.callback, secret: form.get('hub.secret') ?? '', leaseSeconds: granted });
    else subscriptions.delete(key);
  }

  const server = createServer((req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    void readBody(req).then((body) => {
      const form = new URLSearchParams(body.toString('utf8'));
      const request: HubRequest = { mode: form.get('hub.mode') ?? '', topic: form.get('hub.topic') ?? '', callback: form.get('hub.callback') ?? '' };
      if (!['subscribe', 'unsubscribe'].includes(request.mode) || !request.topic || !request.callback) return void res.writeHead(400).end('bad request');
      requests.push(request);
      // §5.1.2: accepted now, verified after the answer.
      res.writeHead(202).end();
      const verification = verify(request, form).finally(() => pending.delete(verification));
      pending.add(verification);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`;

  async function pushRaw(callback: string, body: string | Buffer, signature: string | null, contentType = 'application/rss+xml'): Promise<number> {
    const headers: Record<string, string> = { 'content-type': contentType };
    if (signature !== null) headers['x-hub-signature'] = signature;
    const answer = await fetch(reach(callback), { method: 'POST', headers, body });
    await answer.arrayBuffer();
    return answer.status;
  }

  return {
    url,
    requests,
    subscribers: (topic) => [...subscriptions.values()].filter((s) => s.topic === topic),
    idle: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    publish: (topic, body, contentType) =>
      Promise.all(
        [...subscriptions.values()]
          .filter((s) => s.topic === topic)
          .map((s) => pushRaw(s.callback, body, hubSignature('sha256', s.secret, Buffer.from(body)), contentType)),
      ),
    pushRaw,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
