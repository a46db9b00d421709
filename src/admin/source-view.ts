/** How the admin API, page and CLI show a source: its settings and its health at a glance. */
import type { PollEvent, Source } from '../db/schema.ts';
import type { NewPollEvent } from '../store/poll-events.ts';
import type { SourceHealth } from '../store/source-reads.ts';
import { DISABLED_REASONS } from '../store/disabled-reasons.ts';
import { isQuietTooLong } from './source-view-stale.ts';

/**
 * ok: last poll succeeded; stale: it did, but the source has published nothing new for
 * much longer than it usually goes without (source-view-stale.ts); failing: the last poll
 * failed; flagged: failing in a way that will not fix itself (the feed has answered 404
 * several times in a row: it probably moved); pending: never polled; paused by an admin;
 * deleting: an admin removed it and its items are being deleted; disabled otherwise (410,
 * removed from config).
 */
export type SourceState = 'ok' | 'stale' | 'failing' | 'flagged' | 'pending' | 'paused' | 'disabled' | 'deleting';

/** Consecutive 404s after which a source is flagged for the admin (polling continues, backed off). */
export const FLAG_AFTER_NOT_FOUND = 3;

export interface SourceView {
  id: number;
  url: string;
  title: string | null;
  siteUrl: string | null;
  origin: 'config' | 'admin';
  topics: string[];
  enabled: boolean;
  disabledReason: string | null;
  /** Admin override of the poll interval, in seconds; null: computed from the feed's hints. */
  pollIntervalSeconds: number | null;
  /** Each new or changed item's page is fetched and its article used as the item's content. */
  fullContent: boolean;
  /** Articles that could not be extracted in the last 7 days (the feed's own content stands), and the latest reason. */
  fullContentFailures: { last7Days: number; lastError: string | null };
  /** HTTP Basic auth from the config: the user name and the variable holding the password (never the password). */
  auth: { username: string; passwordEnv: string } | null;
  state: SourceState;
  lastPolledAt: Date | null;
  lastSuccessAt: Date | null;
  /** HTTP status of the last poll. */
  lastStatus: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  consecutiveFailures: number;
  itemsTotal: number;
  itemsLast7Days: number;
  /** The date of the newest item its feed listed (first sighting for undated items): `stale` counts from it. */
  newestItemAt: Date | null;
  /** Null while the source is not polled. */
  nextPollAt: Date | null;
  /** Its WebSub subscription (its feed names a hub), or null. */
  push: PushView | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A source's WebSub subscription: `subscribing` until the hub verifies it (again after a
 * denial), then `subscribed` until `subscribedUntil` (renewed before); pushes last arrived at
 * `lastPushAt`; `error`: the last failed request or the hub's denial.
 */
export interface PushView {
  state: 'subscribing' | 'subscribed';
  hub: string;
  subscribedUntil: Date | null;
  lastPushAt: Date | null;
  error: string | null;
}

function pushView(source: SourceHealth): PushView | null {
  if (source.push_state === null || source.push_state === 'unsubscribing' || source.push_hub === null) return null;
  return {
    state: source.push_state,
    hub: source.push_hub,
    subscribedUntil: source.push_subscribed_until,
    lastPushAt: source.push_last_at,
    error: source.push_error,
  };
}

export function sourceState(source: Source, now: Date): SourceState {
  if (source.deleting_since !== null) return 'deleting';
  if (!source.enabled) return source.disabled_reason === DISABLED_REASONS.paused ? 'paused' : 'disabled';
  if (source.error_code === 'http_not_found' && source.consecutive_failures >= FLAG_AFTER_NOT_FOUND) return 'flagged';
  if (source.error_code !== null) return 'failing';
  if (source.last_polled_at === null) return 'pending';
  return isQuietTooLong(source, now) ? 'stale' : 'ok';
}

export function sourceView(source: SourceHealth, now: Date): SourceView {
  return {
    id: source.id,
    url: source.url,
    title: source.title,
    siteUrl: source.site_url,
    origin: source.origin,
    topics: source.topics,
    enabled: source.enabled,
    disabledReason: source.disabled_reason,
    pollIntervalSeconds: source.poll_interval_seconds,
    fullContent: source.full_content,
    fullContentFailures: { last7Days: Number(source.full_content_failures), lastError: source.full_content_last_error },
    auth: source.auth_username !== null && source.auth_password_env !== null ? { username: source.auth_username, passwordEnv: source.auth_password_env } : null,
    state: sourceState(source, now),
    lastPolledAt: source.last_polled_at,
    lastSuccessAt: source.last_success_at,
    lastStatus: source.last_status,
    errorCode: source.error_code,
    errorMessage: source.error_message,
    consecutiveFailures: source.consecutive_failures,
    itemsTotal: source.items_total,
    itemsLast7Days: source.items_last_7_days,
    newestItemAt: source.newest_item_at,
    nextPollAt: source.enabled ? source.next_poll_at : null,
    push: pushView(source),
    createdAt: source.created_at,
    updatedAt: source.updated_at,
  };
}

/** One poll as the admin sees it: the recorded event without its source. */
export type PollEventView = Omit<NewPollEvent, 'sourceId'>;

export function pollEventView(event: PollEvent): PollEventView {
  return {
    polledAt: event.polled_at,
    outcome: event.outcome,
    status: event.status,
    errorCode: event.error_code,
    errorMessage: event.error_message,
    newItems: event.new_items,
    updatedItems: event.updated_items,
    durationMs: event.duration_ms,
  };
}
