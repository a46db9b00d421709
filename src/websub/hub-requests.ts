/**
 * The built-in hub's two requests to a subscriber (W3C WebSub, 2018): the verification of
 * intent (§5.3), a GET to the callback that must echo hub.challenge, after which the
 * subscription is stored (or removed); and the content distribution (§7), a POST of the
 * whole document with its Content-Type, the hub and self links, and X-Hub-Signature when the
 * subscriber gave a secret (§7.1). A 410 Gone ends the subscription (§7).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { OneShotRequester } from '../ingest/fetch/index.ts';
import { FEED_CONTENT_TYPES } from '../render/feed-formats.ts';
import { hubLinkHeader } from '../render/hub-links.ts';
import { findRenderedFeed } from '../store/rendered-feeds.ts';
import { findHubSubscription, removeHubSubscription, saveHubSubscription } from '../store/websub-hub.ts';
import type { OutboxRow } from '../store/websub-outbox.ts';
import type { HubTopic } from './hub-topics.ts';
import type { RequestOutcome } from './outbox-outcome.ts';

export interface HubRequestContext {
  db: Kysely<DB>;
  now: () => Date;
  http: OneShotRequester;
  /** Our documents by URL (hub-topics.ts). */
  topics: ReadonlyMap<string, HubTopic>;
  /** The hubs the documents name (the built-in one among them). */
  hubs: readonly string[];
  signal?: AbortSignal | undefined;
}

const isSuccess = (status: number) => status >= 200 && status < 300;

/** §5.3: asks the callback to confirm; stores (subscribe) or removes (unsubscribe) the subscription once it does. */
export async function verifyIntent(ctx: HubRequestContext, row: OutboxRow): Promise<RequestOutcome> {
  const mode = row.mode ?? 'subscribe';
  const challenge = randomBytes(24).toString('base64url');
  const url = new URL(row.target_url);
  url.searchParams.append('hub.mode', mode);
  url.searchParams.append('hub.topic', row.topic_url);
  url.searchParams.append('hub.challenge', challenge);
  if (mode === 'subscribe') url.searchParams.append('hub.lease_seconds', String(row.lease_seconds));
  const response = await ctx.http.request({ method: 'GET', url: url.href, signal: ctx.signal });
  if (response.status >= 500 || response.status === 429) return { result: 'failed', error: `callback answered ${response.status} to the verification` };
  // §5.3.1: only a 2xx echoing the challenge confirms; anything else means "not me".
  if (!isSuccess(response.status) || response.body !== challenge) {
    return {
      result: 'refused',
      reason: `callback did not confirm the ${mode} (status ${response.status}${isSuccess(response.status) ? ', wrong challenge' : ''})`,
    };
  }
  if (mode === 'subscribe') {
    await saveHubSubscription(ctx.db, { topic: row.topic_url, callback: row.target_url, secret: row.secret, leaseSeconds: row.lease_seconds ?? 0 }, ctx.now());
  } else {
    await removeHubSubscription(ctx.db, row.topic_url, row.target_url);
  }
  return { result: 'sent' };
}

/** §7: the current document, to one verified subscriber. */
export async function distributeContent(ctx: HubRequestContext, row: OutboxRow): Promise<RequestOutcome> {
  const subscription = await findHubSubscription(ctx.db, row.topic_url, row.target_url, ctx.now());
  if (subscription === undefined) return { result: 'refused', reason: 'the subscription ended (unsubscribed or lease expired)' };
  const document = ctx.topics.get(row.topic_url);
  const stored = document && (await findRenderedFeed(ctx.db, document.topic, document.kind, document.format));
  if (document === undefined || stored === undefined) return { result: 'refused', reason: 'the topic is no longer served' };
  const body = Buffer.from(stored.body);
  const headers: Record<string, string> = { 'content-type': FEED_CONTENT_TYPES[document.format] };
  const link = hubLinkHeader(ctx.hubs, row.topic_url);
  if (link !== null) headers.link = link;
  // §7.1: HMAC of the exact body with the subscriber's secret; sha256 is one of the four methods §7.1 names.
  if (subscription.secret !== null) headers['x-hub-signature'] = `sha256=${createHmac('sha256', subscription.secret).update(body).digest('hex')}`;
  const response = await ctx.http.request({ method: 'POST', url: row.target_url, headers, body, signal: ctx.signal });
  if (isSuccess(response.status)) return { result: 'sent' };
  if (response.status === 410) {
    await removeHubSubscription(ctx.db, row.topic_url, row.target_url);
    return { result: 'gone', reason: 'the callback answered 410 Gone: subscription ended' };
  }
  return { result: 'failed', error: `callback answered ${response.status} to the content distribution` };
}
