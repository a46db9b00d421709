/**
 * Sends what the WebSub outbox holds (src/store/websub-outbox.ts): publish pings to the
 * configured hubs, and for the built-in hub intent verifications and content distributions.
 * Rows are claimed under a lease, so several instances on one database share the work and
 * each request goes once; a failure is retried with backoff (src/websub/outbox-outcome.ts)
 * and counted in tidings_websub_requests_total. Polling never waits for any of it: the rows
 * are queued by the regeneration's transaction and sent by this job, scheduled on its own.
 */
import type { AppContext } from '../src/app-context.ts';
import { FeedError } from '../src/errors.ts';
import { documentHubs } from '../src/render/hub-links.ts';
import { dropExpiredHubSubscriptions } from '../src/store/websub-hub.ts';
import type { OutboxRow } from '../src/store/websub-outbox.ts';
import { claimDueRequests, finishRequest, retryRequest } from '../src/store/websub-outbox.ts';
import { distributeContent, verifyIntent, type HubRequestContext } from '../src/websub/hub-requests.ts';
import { hubTopics } from '../src/websub/hub-topics.ts';
import { retryAt, type RequestOutcome } from '../src/websub/outbox-outcome.ts';
import { pingHub } from '../src/websub/publish-ping.ts';

export type WebSubContext = Pick<AppContext, 'db' | 'owner' | 'now' | 'log' | 'metrics' | 'oneShotRequests' | 'config' | 'publicUrl' | 'topics'>;

export interface WebSubDeliveryOptions {
  signal?: AbortSignal | undefined;
}

/** Requests sent at once; each is one small request with the polling deadline. */
const BATCH = 16;

/** Sends every due request, batch after batch, until none is due; returns how many were tried. */
export async function sendWebSubRequests(ctx: WebSubContext, options: WebSubDeliveryOptions = {}): Promise<number> {
  const log = ctx.log.child({ component: 'websub' });
  // A claim outlives every request of its batch (each bounded by polling.timeoutMs), so only a dead sender loses one.
  const leaseMs = 2 * ctx.config.polling.timeoutMs + 60_000;
  const hub: HubRequestContext = {
    db: ctx.db,
    now: ctx.now,
    http: ctx.oneShotRequests,
    topics: hubTopics(ctx.topics.current().list, ctx.publicUrl),
    hubs: documentHubs(ctx.config.websub, ctx.publicUrl),
    signal: options.signal,
  };
  // §5.1: a lease that ended without renewal ends the subscription.
  const expired = await dropExpiredHubSubscriptions(ctx.db, ctx.now());
  if (expired > 0) log.info({ subscriptions: expired }, 'WebSub subscriptions expired');
  let tried = 0;
  while (!options.signal?.aborted) {
    const now = ctx.now();
    const rows = await claimDueRequests(ctx.db, ctx.owner, now, new Date(now.getTime() + leaseMs), BATCH);
    if (rows.length === 0) break;
    await Promise.all(rows.map((row) => sendOne(ctx, hub, row, log)));
    tried += rows.length;
  }
  return tried;
}

async function sendOne(ctx: WebSubContext, hub: HubRequestContext, row: OutboxRow, log: WebSubContext['log']): Promise<void> {
  let outcome: RequestOutcome;
  try {
    outcome = await attempt(hub, row);
  } catch (error) {
    if (hub.signal?.aborted) return; // shutting down: the claim lapses and another run sends it
    // An address the SSRF guard refuses stays refused: no point in trying again.
    outcome =
      error instanceof FeedError && error.code === 'blocked_address'
        ? { result: 'refused', reason: error.message }
        : { result: 'failed', error: (error as Error).message };
  }
  const fields = { kind: row.kind, target: row.target_url, topic: row.topic_url, attempts: row.attempts + 1 };
  if (outcome.result === 'failed') {
    const next = retryAt(row.attempts + 1, ctx.now());
    if (next === null) {
      await finishRequest(ctx.db, row.id);
      ctx.metrics.websubRequests.inc({ kind: row.kind, outcome: 'gave_up' });
      log.warn({ ...fields, error: outcome.error }, 'WebSub request failed again; giving up');
    } else {
      await retryRequest(ctx.db, row.id, next, outcome.error);
      ctx.metrics.websubRequests.inc({ kind: row.kind, outcome: 'failed' });
      log.warn({ ...fields, error: outcome.error, retryAt: next }, 'WebSub request failed; will retry');
    }
    return;
  }
  await finishRequest(ctx.db, row.id);
  ctx.metrics.websubRequests.inc({ kind: row.kind, outcome: outcome.result });
  if (outcome.result === 'sent') log.debug(fields, 'WebSub request sent');
  else log.info({ ...fields, reason: outcome.reason }, `WebSub request ended: ${outcome.result}`);
}

function attempt(hub: HubRequestContext, row: OutboxRow): Promise<RequestOutcome> {
  if (row.kind === 'publish') return pingHub(hub.http, row.target_url, row.topic_url, hub.signal);
  if (row.kind === 'verify') return verifyIntent(hub, row);
  return distributeContent(hub, row);
}
