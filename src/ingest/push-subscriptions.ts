/**
 * Sources' WebSub subscriptions, the subscriber side (W3C WebSub §5): what a poll found
 * (hub-discovery.ts) becomes the source's wanted subscription; the subscriptions job
 * (jobs/websub-subscriptions.ts) sends the requests due: subscribe with a callback under
 * PUBLIC_URL/websub/callback/, a secret of its own and a lease, renewals before the lease
 * ends, unsubscribe once the source is paused, disabled or removed. Hub requests go through
 * the one-shot requester (the polls' SSRF guard, deadline and answer cap), retried with
 * backoff. The SQL is in src/store/websub-subscriptions.ts; the callback's side is in
 * push-content.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { FeedsConfig } from '../config/feeds-config.ts';
import type { DB, Source, WebSubSubscription } from '../db/schema.ts';
import { FeedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { WebSubLinks } from '../model.ts';
import {
  claimDueSubscriptions,
  deleteSubscription,
  recordHubRequest,
  retireUnwantedSubscriptions,
  setSourceSubscription,
} from '../store/websub-subscriptions.ts';
import type { OneShotRequester } from './fetch/index.ts';
import { discoverHub } from './hub-discovery.ts';

/** The lease asked for (§5.1 hub.lease_seconds); the hub may grant another, stated in its verification. */
export const REQUESTED_LEASE_SECONDS = 10 * 86_400;
/** A hub that accepted a request (202) verifies it soon (§5.3); without a verification by then, the request is sent again. */
export const VERIFICATION_WAIT_SECONDS = 3600;
/** Failed requests back off from a minute, doubling, up to this. */
const MAX_BACKOFF_SECONDS = 6 * 3600;
/** Unsubscribe requests tried before the subscription is forgotten (the hub's lease then runs out on its own). */
const MAX_UNSUBSCRIBE_ATTEMPTS = 5;
/** Requests sent per run of the job. */
const BATCH = 50;
/** A claimed subscription's lease: well beyond a request's deadline, so only a dead instance loses one. */
const CLAIM_SECONDS = 300;

/** The path of the callback URLs under PUBLIC_URL (the route: src/http/websub-callback-routes.ts). */
export const CALLBACK_PATH = '/websub/callback/';

export function callbackUrl(publicUrl: string, callbackId: string): string {
  return `${publicUrl}${CALLBACK_PATH}${callbackId}`;
}

/** When to renew a lease: half of it before the end, at most a day before. */
export function renewalTime(subscribedUntil: Date, leaseSeconds: number): Date {
  return new Date(subscribedUntil.getTime() - Math.min(leaseSeconds / 2, 86_400) * 1000);
}

/** Whether the source's pushes are verified to arrive now: then it is polled at polling.maxInterval only. */
export function isPushSubscribed(source: Pick<Source, 'push_subscribed_until'>, now: Date): boolean {
  return source.push_subscribed_until !== null && source.push_subscribed_until.getTime() > now.getTime();
}

export interface HubNoteContext {
  db: Kysely<DB>;
  config: Partial<Pick<FeedsConfig, 'websub'>>;
  log: Logger;
  now: () => Date;
}

/**
 * After a poll's 200: the hub the feed names (document or Link header) becomes the source's
 * subscription, due at once; a feed that stopped naming one has its subscription retired.
 * Sources without a hub and without a verified subscription cost nothing here.
 */
export async function noteAdvertisedHub(
  ctx: HubNoteContext,
  source: Source,
  document: WebSubLinks,
  linkHeaders: readonly string[],
  feedUrl: string,
): Promise<void> {
  if (!(ctx.config.websub?.subscribe ?? false)) return;
  const found = discoverHub(document, linkHeaders, feedUrl);
  if (found === null && source.push_subscribed_until === null) return;
  try {
    const wanted = found && { ...found, callbackId: randomBytes(16).toString('hex'), secret: randomBytes(32).toString('hex') };
    const changed = await setSourceSubscription(ctx.db, source.id, wanted, ctx.now());
    if (changed)
      ctx.log.info({ sourceId: source.id, url: source.url, hub: found?.hub ?? null, topic: found?.topic ?? null }, 'websub: source subscription changed');
  } catch (error) {
    // The poll is stored; the next one notes the hub again.
    ctx.log.warn({ err: error, sourceId: source.id }, 'websub: could not record the hub the feed names');
  }
}

export interface HubRequestContext {
  db: Kysely<DB>;
  oneShotRequests: Pick<OneShotRequester, 'request'>;
  publicUrl: string;
  config: Pick<FeedsConfig, 'websub'>;
  metrics?: Metrics | undefined;
  log: Logger;
  owner: string;
  now: () => Date;
}

export interface HubRequestsDone {
  retired: number;
  sent: number;
  failed: number;
}

/**
 * One run of the subscriptions job: retires the subscriptions no longer wanted, then sends
 * every request due (subscribe, renew, unsubscribe), a batch at a time, until none is due or
 * `signal` aborts.
 */
export async function sendDueHubRequests(ctx: HubRequestContext, signal?: AbortSignal): Promise<HubRequestsDone> {
  const done: HubRequestsDone = { retired: await retireUnwantedSubscriptions(ctx.db, ctx.config.websub.subscribe, ctx.now()), sent: 0, failed: 0 };
  while (!signal?.aborted) {
    const claimed = await claimDueSubscriptions(ctx.db, { owner: ctx.owner, now: ctx.now(), leaseSeconds: CLAIM_SECONDS, limit: BATCH });
    if (claimed.length === 0) break;
    for (const row of claimed) {
      if (await sendHubRequest(ctx, row, signal)) done.sent++;
      else done.failed++;
    }
  }
  return done;
}

/** Sends one subscription's due request and records what came of it; true when the hub accepted it. */
async function sendHubRequest(ctx: HubRequestContext, row: WebSubSubscription, signal?: AbortSignal): Promise<boolean> {
  const mode = row.state === 'unsubscribing' ? 'unsubscribe' : 'subscribe';
  const attempts = row.attempts + 1;
  if (mode === 'unsubscribe' && row.attempts >= MAX_UNSUBSCRIBE_ATTEMPTS) {
    await deleteSubscription(ctx.db, row.id);
    ctx.log.warn(
      { hub: row.hub_url, topic: row.topic_url, attempts: row.attempts },
      'websub: unsubscription never confirmed; forgotten (the lease ends on its own)',
    );
    return false;
  }
  const form: Record<string, string> = { 'hub.mode': mode, 'hub.topic': row.topic_url, 'hub.callback': callbackUrl(ctx.publicUrl, row.callback_id) };
  if (mode === 'subscribe') Object.assign(form, { 'hub.secret': row.secret, 'hub.lease_seconds': String(REQUESTED_LEASE_SECONDS) });
  let error: string | null = null;
  try {
    const body = new URLSearchParams(form).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const answer = await ctx.oneShotRequests.request({ method: 'POST', url: row.hub_url, headers, body, signal });
    // §5.1.2: 202 Accepted, the verification follows; any 2xx is taken as such.
    const text = answer.body.trim().slice(0, 200);
    if (answer.status < 200 || answer.status > 299) error = `the hub answered ${answer.status} to ${mode}${text ? `: ${text}` : ''}`;
  } catch (caught) {
    if (signal?.aborted && !(caught instanceof FeedError)) throw caught;
    error = caught instanceof FeedError ? caught.message : `${mode} request failed: ${String(caught)}`;
  }
  ctx.metrics?.websubHubRequests.inc({ mode, outcome: error === null ? 'accepted' : 'failed' });
  const now = ctx.now();
  const wait = error === null ? VERIFICATION_WAIT_SECONDS : Math.min(60 * 2 ** Math.min(row.attempts, 20), MAX_BACKOFF_SECONDS);
  await recordHubRequest(ctx.db, row.id, ctx.owner, { now, nextAttemptAt: new Date(now.getTime() + wait * 1000), attempts, error });
  const fields = { sourceId: row.source_id, hub: row.hub_url, topic: row.topic_url, mode, attempts };
  if (error === null) ctx.log.info(fields, 'websub: hub accepted the request; awaiting its verification');
  else ctx.log.warn({ ...fields, error }, 'websub: hub request failed; retried with backoff');
  return error === null;
}
