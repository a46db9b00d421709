/**
 * The subscriber's callback (W3C WebSub §5.3, §7, §8): the hub's verification of intent, and
 * content the hub pushes. A verification is confirmed (the challenge echoed) only for a
 * subscription Tidings asked for, in the mode it asked for, for its topic. Pushed content is
 * taken only with a valid X-Hub-Signature for that subscription's secret (hub-signature.ts);
 * anything else is answered 2xx all the same (§8: a forger must not learn whether a
 * signature was right), counted, and not stored. Taken content goes the way a poll's does
 * (store-feed-items.ts: read in a worker, classify, store, group), as the source's items;
 * the caller re-renders the topics `grouped` settles with.
 */
import type { WebSubSubscription } from '../db/schema.ts';
import { FeedError } from '../errors.ts';
import { upsertItems } from '../store/items.ts';
import {
  confirmSubscription,
  deleteSubscription,
  findPushedSource,
  findSubscriptionByCallback,
  recordDenial,
  recordPush,
  recordRejectedPush,
} from '../store/websub-subscriptions.ts';
import { checkHubSignature } from './hub-signature.ts';
import { REQUESTED_LEASE_SECONDS, renewalTime } from './push-subscriptions.ts';
import type { FullContentContext } from './full-content.ts';
import { countWrittenItems, groupStories, readArticles, readSourceFeed, siteUrlsOf, storableItems, type FeedItemsContext } from './store-feed-items.ts';

/** After a hub's denial (§5.2), ask again a day later: the publisher may have changed its mind. */
const DENIAL_RETRY_SECONDS = 86_400;

/** A push of a fullContent source fetches its new items' pages like a poll (full-content.ts). */
export interface PushContext extends FeedItemsContext, FullContentContext {
  now: () => Date;
}

/** The hub.* query parameters of a verification request (§5.3). */
export interface VerificationRequest {
  mode: string | undefined;
  topic: string | undefined;
  challenge: string | undefined;
  leaseSeconds: string | undefined;
  reason: string | undefined;
}

/** 200 with the challenge as the body, 200 with nothing (a denial noted), or 404: not a subscription Tidings asked for. */
export type VerificationAnswer = { status: 200; body: string } | { status: 404; body: string };

export async function answerVerification(
  ctx: Pick<PushContext, 'db' | 'log' | 'now'>,
  callbackId: string,
  request: VerificationRequest,
): Promise<VerificationAnswer> {
  const refused: VerificationAnswer = { status: 404, body: 'no such subscription request' };
  const row = await findSubscriptionByCallback(ctx.db, callbackId);
  if (row === undefined || request.topic !== row.topic_url) return refused;
  const now = ctx.now();
  const fields = { sourceId: row.source_id, hub: row.hub_url, topic: row.topic_url, mode: request.mode };
  if (request.mode === 'denied') {
    if (row.state !== 'unsubscribing')
      await recordDenial(
        ctx.db,
        row,
        `the hub denied the subscription: ${(request.reason ?? 'no reason given').slice(0, 300)}`,
        now,
        after(now, DENIAL_RETRY_SECONDS),
      );
    ctx.log.warn({ ...fields, reason: request.reason }, 'websub: hub denied the subscription');
    return { status: 200, body: '' };
  }
  if (!request.challenge) return refused;
  if (request.mode === 'subscribe' && row.state !== 'unsubscribing') {
    const granted = Number(request.leaseSeconds);
    const leaseSeconds = Number.isSafeInteger(granted) && granted > 0 ? granted : REQUESTED_LEASE_SECONDS;
    const subscribedUntil = after(now, leaseSeconds);
    await confirmSubscription(ctx.db, row, { now, leaseSeconds, subscribedUntil, renewAt: renewalTime(subscribedUntil, leaseSeconds) });
    ctx.log.info({ ...fields, subscribedUntil }, 'websub: subscription verified');
    return { status: 200, body: request.challenge };
  }
  if (request.mode === 'unsubscribe' && row.state === 'unsubscribing') {
    await deleteSubscription(ctx.db, row.id);
    ctx.log.info(fields, 'websub: unsubscription verified');
    return { status: 200, body: request.challenge };
  }
  return refused;
}

/**
 * What came of a push: `stored`, or why nothing was: `unsigned`, `bad_signature`,
 * `inactive` (not verified, or its source paused or removed), `unknown`
 * (no such callback, or unsubscribed: 410 tells the hub to stop), `unreadable` (signed, but
 * not a feed), `too_large` (the route's body cap).
 */
export type PushOutcome = 'stored' | 'unsigned' | 'bad_signature' | 'inactive' | 'unknown' | 'unreadable' | 'too_large';

export interface PushAnswer {
  status: number;
  outcome: PushOutcome;
  newItems: number;
  updatedItems: number;
  /** Settles (never rejects) with the topics whose documents the push changed, once its items are in stories. */
  grouped: Promise<string[]>;
}

export interface PushedContent {
  signature: string | null;
  contentType: string | null;
  body: Uint8Array;
}

/** Every push is answered this: the same for a stored push and a refused one (§8). */
const PUSH_ANSWERED = 204;
const NOTHING: Promise<string[]> = Promise.resolve([]);

export async function receivePush(ctx: PushContext, callbackId: string, push: PushedContent): Promise<PushAnswer> {
  const row = await findSubscriptionByCallback(ctx.db, callbackId);
  if (row === undefined || row.state === 'unsubscribing') return refusedPush(ctx, null, 'unknown', 410);
  const check = checkHubSignature(push.signature, row.secret, push.body);
  if (check !== 'valid') return refusedPush(ctx, row, check === 'missing' ? 'unsigned' : 'bad_signature');
  const source = row.state === 'subscribed' && row.source_id !== null ? await findPushedSource(ctx.db, row.source_id) : undefined;
  if (source === undefined) return refusedPush(ctx, row, 'inactive');
  let read: Awaited<ReturnType<typeof readSourceFeed>>;
  try {
    // Relative URLs resolve as in the polled document: against the feed's URL.
    read = await readSourceFeed(ctx, source, { body: push.body, contentType: push.contentType, feedUrl: source.url });
  } catch (error) {
    if (!(error instanceof FeedError)) throw error;
    ctx.log.warn({ sourceId: source.id, hub: row.hub_url, code: error.code, error: error.message }, 'websub: pushed content is not a readable feed');
    return refusedPush(ctx, row, 'unreadable');
  }
  const { articles } = await readArticles(ctx, source, read);
  const now = ctx.now();
  const written = await ctx.db.transaction().execute(async (trx) => {
    const items = storableItems(ctx, source, read, siteUrlsOf(read.feed, source, source.url), articles);
    const upserted = await upsertItems(trx, source.id, items, now);
    await recordPush(trx, row.id, now);
    return upserted;
  });
  countWrittenItems(ctx.metrics, written);
  ctx.metrics?.websubPushes.inc({ outcome: 'stored' });
  const newItems = written.insertedIds.length;
  const updatedItems = written.updatedIds.length;
  ctx.log.info({ sourceId: source.id, url: source.url, hub: row.hub_url, newItems, updatedItems }, 'websub: pushed content stored');
  const grouped = newItems + updatedItems > 0 ? groupStories(ctx, source.id, written.updatedIds) : NOTHING;
  return { status: PUSH_ANSWERED, outcome: 'stored', newItems, updatedItems, grouped };
}

/** A push whose body was over the cap, before it was read (the route's limit). */
export function tooLargePush(ctx: Pick<PushContext, 'metrics'>): void {
  ctx.metrics?.websubPushes.inc({ outcome: 'too_large' });
}

async function refusedPush(ctx: PushContext, row: WebSubSubscription | null, outcome: PushOutcome, status = PUSH_ANSWERED): Promise<PushAnswer> {
  ctx.metrics?.websubPushes.inc({ outcome });
  if (row !== null) await recordRejectedPush(ctx.db, row.id);
  ctx.log.info({ sourceId: row?.source_id ?? null, hub: row?.hub_url ?? null, outcome }, 'websub: pushed content refused; nothing stored');
  return { status, outcome, newItems: 0, updatedItems: 0, grouped: NOTHING };
}

function after(now: Date, seconds: number): Date {
  return new Date(now.getTime() + seconds * 1000);
}

/** What the callback route (src/http/websub-callback-routes.ts) is given: the two answers, and the body cap. */
export interface WebSubCallbacks {
  verify(callbackId: string, request: VerificationRequest): Promise<VerificationAnswer>;
  push(callbackId: string, content: PushedContent): Promise<Pick<PushAnswer, 'status' | 'outcome'>>;
  /** Counts a push refused for its size (the route's body cap, polling.maxBytes like a fetched feed's). */
  tooLarge(): void;
  maxBytes: number;
}
