/**
 * One poll of one claimed source, top to bottom (the poll job claims them): fetch →
 * read (decode, parse, normalize) → derive → store → group → record the outcome. Every
 * outcome is recorded here before the call returns: 200s and failures on the source row
 * (failures as a stable code and message), 304s too (in one statement with concurrent
 * polls' 304s), and a poll event each. Where a poll's ingest stages meet the store; the read,
 * store and group steps it shares with a WebSub push (push-content.ts) are in store-feed-items.ts.
 */
import type { Kysely } from 'kysely';
import type { Env } from '../config/env.ts';
import type { FeedsConfig } from '../config/feeds-config.ts';
import type { DB, Source } from '../db/schema.ts';
import { FeedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { upsertItems } from '../store/items.ts';
import { followPermanentRedirect, type ClassifyStoredItem, type RedirectOutcome } from '../store/source-merge.ts';
import type { NewPollEvent } from '../store/poll-events.ts';
import { DISABLED_REASONS } from '../store/disabled-reasons.ts';
import { recordPollFailure, recordPollSuccess, type NotModifiedPoll } from '../store/poll-outcomes.ts';
import { releaseLease } from '../store/source-claims.ts';
import type { StoryGrouper } from '../dedupe/index.ts';
import { classify } from './classify.ts';
import type { LiveTopics } from '../topic-registry.ts';
import type { Fetcher } from './fetch/index.ts';
import type { ExtractArticle } from './full-content.ts';
import { HostBusyError, type HostGate } from './host-slots.ts';
import { htmlToPlainText } from '../text/html-text.ts';
import { sourceCredentials } from './source-credentials.ts';
import { effectiveDates, establishedBy, nextPollAt, publishingRhythm } from './poll-schedule.ts';
import { isPushSubscribed, noteAdvertisedHub } from './push-subscriptions.ts';
import { countWrittenItems, groupStories, readArticles, readSourceFeed, siteUrlsOf, storableItems, type ReadFeed } from './store-feed-items.ts';

export type { ReadFeed } from './store-feed-items.ts';

/**
 * Where poll outcomes are written: each call is one poll's, batched with the concurrent
 * polls' calls into one statement (a statement per 304 poll was most of its cost).
 */
export interface PollOutcomes {
  notModified(poll: NotModifiedPoll): Promise<void>;
  event(event: NewPollEvent): Promise<void>;
}

/** The part of the app context (src/app-context.ts) a poll uses. */
export interface RefreshContext {
  db: Kysely<DB>;
  fetcher: Pick<Fetcher, 'fetchFeed'>;
  readFeed: ReadFeed;
  /** The article of an item's page, for sources with fullContent (full-content.ts); off the main thread. */
  extractArticle: ExtractArticle;
  /** `websub.subscribe`: a feed's hub becomes a subscription (push-subscriptions.ts); absent: off. */
  config: Pick<FeedsConfig, 'polling'> & Partial<Pick<FeedsConfig, 'websub'>>;
  /** Where a source's password is read from, at each poll (source-credentials.ts). */
  env: Pick<Env, 'lookupVariable'>;
  /** The topics now (src/topic-registry.ts): classification reads their compiled rules. */
  topics: LiveTopics;
  /** Puts committed items into stories (canonical URL, near-duplicate text), batched across polls. */
  stories: StoryGrouper;
  metrics?: Metrics | undefined;
  log: Logger;
  /** Lease owner name of this poller. */
  owner: string;
  outcomes: PollOutcomes;
  /**
   * Per-host slots and spacing shared with other instances (Postgres). Unset: the fetcher's
   * in-process per-host cap is the only limit (one process, e.g. the embedded database).
   */
  hostGate?: HostGate | undefined;
  now: () => Date;
}

export interface RefreshResult {
  sourceId: number;
  url: string;
  outcome: 'stored' | 'not_modified' | 'failed' | 'released';
  status: number | null;
  newItems: number;
  updatedItems: number;
  errorCode: string | null;
  errorMessage: string | null;
  durationMs: number;
  /** Topics whose feeds this poll changed (to regenerate). */
  changedTopics: string[];
}

export interface PolledSource {
  /** The poll's outcome, recorded; its changedTopics are filled in when `grouped` settles. */
  result: RefreshResult;
  /**
   * Settles (never rejects) once the poll's items are in stories, with the topics that
   * changed. The poll itself is over before: its caller may start the next one meanwhile.
   */
  grouped: Promise<string[]>;
  /**
   * A permanent redirect onto a source that was being polled at the same moment: the merge
   * waits until that poll is recorded (followDeferredMove, once the cycle's polls are done).
   */
  deferredMove: DeferredMove | null;
}

export interface DeferredMove {
  sourceId: number;
  url: string;
}

const NOTHING_TO_GROUP: Promise<string[]> = Promise.resolve([]);

/** Polls one claimed source. Feed problems are recorded, never thrown; database errors propagate. */
export async function refreshSource(ctx: RefreshContext, source: Source, signal?: AbortSignal): Promise<PolledSource> {
  const started = performance.now();
  const base = { sourceId: source.id, url: source.url, newItems: 0, updatedItems: 0, errorCode: null, errorMessage: null, changedTopics: [] };
  let result: RefreshResult;
  let grouped = NOTHING_TO_GROUP;
  let deferredMove: DeferredMove | null = null;
  try {
    const { grouping, deferred, ...outcome } = await pollAndStore(ctx, source, signal);
    result = { ...base, ...outcome, durationMs: 0 };
    grouped = grouping;
    deferredMove = deferred;
  } catch (error) {
    if (signal?.aborted || error instanceof HostBusyError) {
      // Shutting down, or its host stayed busy: hand the source back untouched rather than
      // record a failure that isn't one. A busy host's source waits for a later cycle, so
      // this one does not claim it again at once.
      const later = error instanceof HostBusyError ? new Date(ctx.now().getTime() + ctx.config.polling.minInterval * 1000) : undefined;
      if (error instanceof HostBusyError) ctx.log.info({ sourceId: source.id, url: source.url, nextPollAt: later }, error.message);
      await releaseLease(ctx.db, source.id, ctx.owner, later);
      result = { ...base, outcome: 'released', status: null, durationMs: 0 };
    } else {
      result = { ...base, ...(await recordFailure(ctx, source, error)), durationMs: 0 };
    }
  }
  result.durationMs = Math.round(performance.now() - started);
  logResult(ctx.log, result);
  if (result.outcome !== 'released') {
    ctx.metrics?.polls.inc({ outcome: result.outcome, code: result.errorCode ?? '' });
    // The source row keeps only the latest outcome; the events give admins its history.
    await ctx.outcomes.event(pollEventOf(result, result.outcome, ctx.now()));
  }
  const polled = result;
  return { result, grouped: grouped.then((topics) => (polled.changedTopics = topics)), deferredMove };
}

function pollEventOf(result: RefreshResult, outcome: NewPollEvent['outcome'], polledAt: Date): NewPollEvent {
  return {
    sourceId: result.sourceId,
    polledAt,
    outcome,
    status: result.status,
    errorCode: result.errorCode,
    errorMessage: result.errorMessage,
    newItems: result.newItems,
    updatedItems: result.updatedItems,
    durationMs: result.durationMs,
  };
}

/**
 * Follows a permanent redirect that had to wait for its target's poll (PolledSource's
 * deferredMove): merges now, or leaves it to this source's next poll if the target is
 * still busy (another instance polling it). Returns the topics whose feeds changed.
 */
export async function followDeferredMove(ctx: RefreshContext, move: DeferredMove): Promise<string[]> {
  const now = ctx.now();
  const redirect = await ctx.db.transaction().execute((trx) => followPermanentRedirect(trx, move.sourceId, move.url, now, classifyStoredWith(ctx)));
  ctx.log.info({ sourceId: move.sourceId, newUrl: move.url, outcome: redirect.kind }, 'deferred permanent redirect followed');
  return redirect.kind === 'kept' ? [] : [...redirect.topics];
}

function classifyStoredWith(ctx: RefreshContext): ClassifyStoredItem {
  return (row, source) =>
    classify({ ...row, contentText: row.content_html ? htmlToPlainText(row.content_html) : '', source }, source.topics, ctx.topics.current().compiled);
}

/** The move to retry after the cycle, when the redirect could not merge only because its target was busy. */
function deferredOf(source: Source, url: string | null, redirect: RedirectOutcome | null): DeferredMove | null {
  return url !== null && redirect?.kind === 'kept' && redirect.retry ? { sourceId: source.id, url } : null;
}

/**
 * The metrics' host label: the host name without the port, as politeness counts hosts
 * (host-slots.ts). It comes from the polled source's URL, never a redirect target, so the
 * label set is bounded by the source list.
 */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return 'invalid';
  }
}

/**
 * Fetch with its duration, bytes and per-host outcome recorded, inside a host slot when a
 * gate is set (the slot covers the request only: parsing and storing need no politeness).
 */
async function instrumentedFetch(ctx: RefreshContext, source: Source, signal: AbortSignal | undefined) {
  // A missing password fails the poll before it takes a host slot or sends anything.
  const credentials = sourceCredentials(source, ctx.env.lookupVariable);
  const slot = await ctx.hostGate?.acquire(source.url, signal);
  const started = performance.now();
  const host = hostOf(source.url);
  try {
    const response = await ctx.fetcher.fetchFeed({ url: source.url, etag: source.etag, lastModified: source.last_modified, credentials, signal });
    ctx.metrics?.fetchSeconds.observe({ outcome: response.kind }, (performance.now() - started) / 1000);
    ctx.metrics?.hostRequests.inc({ host, outcome: response.kind });
    if (response.kind === 'ok') ctx.metrics?.bytesFetched.inc({ host }, response.bytesReceived);
    return response;
  } catch (error) {
    ctx.metrics?.fetchSeconds.observe({ outcome: 'error' }, (performance.now() - started) / 1000);
    ctx.metrics?.hostRequests.inc({ host, outcome: error instanceof FeedError ? error.code : 'cancelled' });
    throw error;
  } finally {
    await slot?.release();
  }
}

async function pollAndStore(ctx: RefreshContext, source: Source, signal: AbortSignal | undefined) {
  const response = await instrumentedFetch(ctx, source, signal);
  const now = ctx.now();
  const { polling } = ctx.config;
  const schedule = {
    now,
    outcome: 'success' as const,
    consecutiveFailures: 0,
    minIntervalSeconds: polling.minInterval,
    maxIntervalSeconds: polling.maxInterval,
    overrideSeconds: source.poll_interval_seconds,
    pushSubscribed: isPushSubscribed(source, now),
    cacheMaxAgeSeconds: response.headers.cacheControlMaxAge,
    expires: response.headers.expires,
  };
  const classifyStored = classifyStoredWith(ctx);
  if (response.kind === 'not_modified') {
    // A 304 has no items and no <ttl>: what the last 200 established still holds.
    const established = { rateSeconds: source.rate_interval_seconds, hintSeconds: source.hint_interval_seconds ?? 0 };
    const notModified = { sourceId: source.id, now, nextPollAt: nextPollAt({ ...schedule, established }) };
    // The common 304 in one statement with concurrent polls' 304s; one that moved the feed with the move.
    if (response.permanentUrl === null) {
      await ctx.outcomes.notModified(notModified);
      return { outcome: 'not_modified' as const, status: 304, grouping: NOTHING_TO_GROUP, deferred: null };
    }
    const newUrl = response.permanentUrl;
    const redirect = await ctx.db.transaction().execute(async (trx) => {
      const followed = await followPermanentRedirect(trx, source.id, newUrl, now, classifyStored);
      await recordPollSuccess(trx, source.id, { ...notModified, status: 304, etag: source.etag, lastModified: source.last_modified });
      return followed;
    });
    logRedirect(ctx, source, newUrl, redirect);
    // A move re-renders the feeds that show the source: its entries carry the feed URL.
    const grouping = redirect.kind === 'kept' ? NOTHING_TO_GROUP : Promise.resolve([...redirect.topics]);
    return { outcome: 'not_modified' as const, status: 304, grouping, deferred: deferredOf(source, newUrl, redirect) };
  }
  const document = { body: response.body, contentType: response.contentType, feedUrl: response.finalUrl };
  const read = await readSourceFeed(ctx, source, document, response.permanentUrl === null);
  const { feed } = read;
  const { articles, deferred } = await readArticles(ctx, source, read, signal);
  const fresh = { ...schedule, ttlMinutes: feed.ttlMinutes, itemDates: effectiveDates(feed.items) };
  const { written, redirect } = await ctx.db.transaction().execute(async (trx) => {
    // A move first: when it merges this source into another, the items are stored there.
    const redirect = response.permanentUrl === null ? null : await followPermanentRedirect(trx, source.id, response.permanentUrl, now, classifyStored);
    const owner = redirect?.kind === 'merged' ? redirect.into : source;
    const upserted = await upsertItems(trx, owner.id, storableItems(ctx, owner, read, siteUrlsOf(feed, source, response.finalUrl), articles), now);
    await recordPollSuccess(trx, source.id, {
      now,
      nextPollAt: nextPollAt(fresh),
      established: establishedBy(fresh),
      rhythm: publishingRhythm(fresh.itemDates, now, upserted.insertedIds.length) ?? undefined,
      status: response.status,
      // Pages left for later polls: the next poll reads the feed even if it has not changed.
      etag: deferred > 0 ? null : response.etag,
      lastModified: deferred > 0 ? null : response.lastModified,
      title: feed.title,
      siteUrl: feed.siteUrl,
    });
    return { written: upserted, redirect };
  });
  if (redirect) logRedirect(ctx, source, response.permanentUrl!, redirect);
  countWrittenItems(ctx.metrics, written);
  if (redirect?.kind !== 'merged') await noteAdvertisedHub(ctx, source, feed.websub, response.links, response.finalUrl);
  const changed = written.insertedIds.length > 0 || written.updatedIds.length > 0;
  let grouping = changed ? groupStories(ctx, source.id, written.updatedIds) : NOTHING_TO_GROUP;
  if (redirect && redirect.kind !== 'kept') grouping = grouping.then((topics) => [...new Set([...topics, ...redirect.topics])]);
  return {
    outcome: 'stored' as const,
    status: response.status,
    newItems: written.insertedIds.length,
    updatedItems: written.updatedIds.length,
    grouping,
    deferred: deferredOf(source, response.permanentUrl, redirect),
  };
}

function logRedirect(ctx: RefreshContext, source: Source, newUrl: string, redirect: RedirectOutcome): void {
  const fields = { sourceId: source.id, url: source.url, newUrl };
  if (redirect.kind === 'moved') ctx.log.info(fields, 'feed moved permanently; source follows it');
  else if (redirect.kind === 'kept')
    ctx.log.info({ ...fields, reason: redirect.reason }, 'feed moved permanently to a URL another source has; source kept as is');
  else
    ctx.log.info(
      { ...fields, into: redirect.into.id, movedItems: redirect.movedItems, droppedItems: redirect.droppedItems },
      'feed moved permanently to another source; merged into it',
    );
}

async function recordFailure(ctx: RefreshContext, source: Source, error: unknown) {
  const failure = asFeedError(error);
  if (failure.code === 'internal_error') ctx.log.error({ err: error, sourceId: source.id }, 'poll failed with an unexpected error');
  const now = ctx.now();
  const consecutiveFailures = source.consecutive_failures + 1;
  await recordPollFailure(ctx.db, source.id, {
    now,
    nextPollAt: nextPollAt({
      now,
      outcome: 'failure',
      consecutiveFailures,
      minIntervalSeconds: ctx.config.polling.minInterval,
      maxIntervalSeconds: ctx.config.polling.maxInterval,
      retryAfterSeconds: failure.details.retryAfterSeconds,
    }),
    status: failure.details.status ?? null,
    code: failure.code,
    message: failure.message,
    disable: failure.code === 'http_gone' ? DISABLED_REASONS.gone : undefined,
  });
  return { outcome: 'failed' as const, status: failure.details.status ?? null, errorCode: failure.code, errorMessage: failure.message };
}

function asFeedError(error: unknown): FeedError {
  if (error instanceof FeedError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FeedError('internal_error', `internal error while polling: ${message}`, { cause: error });
}

function logResult(log: Logger, result: RefreshResult): void {
  const fields = {
    sourceId: result.sourceId,
    url: result.url,
    outcome: result.outcome,
    status: result.status,
    newItems: result.newItems,
    updatedItems: result.updatedItems,
    durationMs: result.durationMs,
    ...(result.errorCode ? { errorCode: result.errorCode, error: result.errorMessage } : {}),
  };
  if (result.outcome === 'failed') log.warn(fields, 'poll failed');
  else log.info(fields, 'poll done');
}
