/** All SQL about sources (the config sync is in config-sources.ts): claiming due sources, recording poll outcomes, health, admin changes. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, Source } from '../db/schema.ts';
import type { Established } from '../model.ts';
import { DISABLED_REASONS } from './disabled-reasons.ts';

export { DISABLED_REASONS } from './disabled-reasons.ts';
export { syncConfigSources, type ConfigSource, type SyncSummary } from './config-sources.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface ClaimOptions {
  owner: string;
  now: Date;
  leaseSeconds: number;
  limit: number;
  /** Claim this source whatever its next_poll_at (still never one leased by another poller). */
  url?: string | undefined;
}

/**
 * Claims up to `limit` due, enabled, unleased sources for `owner`. FOR UPDATE SKIP LOCKED
 * lets several instances claim concurrently without waiting on or double-claiming rows;
 * the lease makes a claim outlive the transaction, and expires if its owner dies.
 */
export async function claimDueSources(db: Kysely<DB>, options: ClaimOptions): Promise<Source[]> {
  const leaseUntil = new Date(options.now.getTime() + options.leaseSeconds * 1000);
  let due = db
    .selectFrom('sources')
    .select('id')
    .where('enabled', '=', true)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', options.now)]))
    .orderBy('next_poll_at')
    .limit(options.limit)
    .forUpdate()
    .skipLocked();
  due = options.url === undefined ? due.where('next_poll_at', '<=', options.now) : due.where('url', '=', options.url);
  return db
    .updateTable('sources')
    .set({ lease_owner: options.owner, lease_until: leaseUntil })
    .where('id', 'in', due)
    .returningAll()
    .execute()
    .then((rows) => rows.sort((a, b) => a.next_poll_at.getTime() - b.next_poll_at.getTime()));
}

/**
 * Gives a claimed source back untouched (shutdown mid-poll): another poller may take it at
 * once, or from `nextPollAt` when given (its host was too busy to poll it now).
 */
export async function releaseLease(db: Executor, sourceId: number, owner: string, nextPollAt?: Date): Promise<void> {
  await db
    .updateTable('sources')
    .set({ lease_owner: null, lease_until: null, ...(nextPollAt ? { next_poll_at: nextPollAt } : {}) })
    .where('id', '=', sourceId)
    .where('lease_owner', '=', owner)
    .execute();
}

/**
 * Frees every lease `owner` holds except those on `keep` (sources it is polling right now):
 * a poll cut off by a database outage could not give its lease back, and would otherwise
 * keep its source from being polled, by anyone, until the lease runs out minutes later.
 */
export async function releaseOwnLeases(db: Executor, owner: string, keep: readonly number[]): Promise<number> {
  let query = db.updateTable('sources').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner);
  if (keep.length > 0) query = query.where('id', 'not in', keep);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface PollSuccess {
  now: Date;
  nextPollAt: Date;
  status: number;
  etag: string | null;
  lastModified: string | null;
  title?: string | null | undefined;
  siteUrl?: string | null | undefined;
  /** What a 200 established for the 304s after it (poll-schedule.ts); a 304 leaves it as it is. */
  established?: Established | undefined;
}

/**
 * Records a successful poll (200 or 304): clears the error and the lease. A feed that moved
 * (permanent redirect) is followed first with followPermanentRedirect (source-merge.ts).
 */
export async function recordPollSuccess(db: Executor, sourceId: number, outcome: PollSuccess): Promise<void> {
  await db
    .updateTable('sources')
    .set((eb) => ({
      last_polled_at: outcome.now,
      last_success_at: outcome.now,
      last_status: outcome.status,
      next_poll_at: outcome.nextPollAt,
      etag: outcome.etag,
      last_modified: outcome.lastModified,
      error_code: null,
      error_message: null,
      consecutive_failures: 0,
      lease_owner: null,
      lease_until: null,
      // A config title wins; a feed's own title fills in when none was given.
      title: outcome.title ? eb.fn.coalesce('title', eb.val(outcome.title)) : eb.ref('title'),
      site_url: outcome.siteUrl ? eb.val(outcome.siteUrl) : eb.ref('site_url'),
      ...(outcome.established
        ? { rate_interval_seconds: outcome.established.rateSeconds, hint_interval_seconds: outcome.established.hintSeconds }
        : {}),
      updated_at: outcome.now,
    }))
    .where('id', '=', sourceId)
    .execute();
}

/**
 * A 304 poll's bookkeeping: the source is healthy, its validators stand, its next poll is set
 * (from what the last 200 established, which stays as it is).
 */
export interface NotModifiedPoll {
  sourceId: number;
  now: Date;
  nextPollAt: Date;
}

/**
 * Records many 304 polls in one statement, as recordPollSuccess would each (one statement a
 * poll was a third of a warm cycle's statements on Postgres). A 304 that moved its feed
 * (permanent redirect) goes through followPermanentRedirect and recordPollSuccess instead.
 */
export async function recordNotModified(db: Executor, polls: readonly NotModifiedPoll[]): Promise<void> {
  if (polls.length === 0) return;
  const rows = JSON.stringify(polls.map((p) => ({ id: p.sourceId, now: p.now, next: p.nextPollAt })));
  await sql`
    update sources s set
      last_polled_at = u.now, last_success_at = u.now, last_status = 304, next_poll_at = u.next,
      error_code = null, error_message = null, consecutive_failures = 0,
      lease_owner = null, lease_until = null, updated_at = u.now
    from jsonb_to_recordset(${rows}::jsonb) as u(id bigint, now timestamptz, next timestamptz)
    where s.id = u.id`.execute(db);
}

export interface PollFailure {
  now: Date;
  nextPollAt: Date;
  status: number | null;
  code: string;
  message: string;
  /** Stop polling (410 Gone). */
  disable?: string | undefined;
}

/** Records a failed poll: the error, one more consecutive failure, the backed-off next poll. */
export async function recordPollFailure(db: Executor, sourceId: number, failure: PollFailure): Promise<void> {
  await db
    .updateTable('sources')
    .set((eb) => ({
      last_polled_at: failure.now,
      last_status: failure.status,
      next_poll_at: failure.nextPollAt,
      error_code: failure.code,
      error_message: failure.message,
      consecutive_failures: eb('consecutive_failures', '+', 1),
      lease_owner: null,
      lease_until: null,
      updated_at: failure.now,
      ...(failure.disable ? { enabled: false, disabled_reason: failure.disable } : {}),
    }))
    .where('id', '=', sourceId)
    .execute();
}

export interface SourceHealth extends Source {
  items_total: number;
  items_last_7_days: number;
}

/** Every source with its health and item counts; failing sources first, then by URL. */
export async function listSourcesWithHealth(db: Kysely<DB>, now: Date): Promise<SourceHealth[]> {
  return healthQuery(db, now).orderBy(sql`sources.error_code is null`).orderBy('sources.url').execute() as Promise<SourceHealth[]>;
}

/** One source with its health and item counts. */
export async function findSourceHealth(db: Kysely<DB>, id: number, now: Date): Promise<SourceHealth | undefined> {
  return healthQuery(db, now).where('sources.id', '=', id).executeTakeFirst() as Promise<SourceHealth | undefined>;
}

function healthQuery(db: Kysely<DB>, now: Date) {
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  return db
    .selectFrom('sources')
    .selectAll('sources')
    .select((eb) => [
      eb.selectFrom('items').select(eb.fn.countAll<number>().as('n')).whereRef('items.source_id', '=', 'sources.id').as('items_total'),
      eb
        .selectFrom('items')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('items.source_id', '=', 'sources.id')
        .where('items.first_seen_at', '>=', weekAgo)
        .as('items_last_7_days'),
    ]);
}

export async function findSourceByUrl(db: Executor, url: string): Promise<Source | undefined> {
  return db.selectFrom('sources').selectAll().where('url', '=', url).executeTakeFirst();
}

/** Each source's declared topics (for classification). */
export async function listSourceTopics(db: Kysely<DB>): Promise<Array<{ id: number; topics: string[] }>> {
  return db.selectFrom('sources').select(['id', 'topics']).orderBy('id').execute();
}

/** Every source, by id (for export). */
export async function listSources(db: Kysely<DB>): Promise<Source[]> {
  return db.selectFrom('sources').selectAll().orderBy('id').execute();
}

export interface NewAdminSource {
  url: string;
  title: string | null;
  topics: string[];
}

/**
 * Inserts sources added by an admin (origin `admin`), due at once. URLs that already are
 * sources are skipped, atomically (ON CONFLICT), so two admins adding one URL at the
 * same moment get one source. Returns the rows inserted.
 */
export async function insertAdminSources(db: Executor, sources: NewAdminSource[], now: Date): Promise<Source[]> {
  const inserted: Source[] = [];
  for (let start = 0; start < sources.length; start += 500) {
    const rows = await db
      .insertInto('sources')
      .values(sources.slice(start, start + 500).map((s) => ({ url: s.url, title: s.title, topics: s.topics, origin: 'admin' as const, next_poll_at: now, created_at: now, updated_at: now })))
      .onConflict((oc) => oc.column('url').doNothing())
      .returningAll()
      .execute();
    inserted.push(...rows);
  }
  return inserted;
}

export interface SourcePatch {
  title?: string | null | undefined;
  topics?: string[] | undefined;
  /** false pauses (DISABLED_REASONS.paused); true resumes and makes the source due now. */
  enabled?: boolean | undefined;
  /** Seconds between polls (overrides the computed interval); null returns to the default. */
  pollIntervalSeconds?: number | null | undefined;
}

/** Applies an admin's changes to a source; undefined when there is no such source. */
export async function updateSource(db: Executor, id: number, patch: SourcePatch, now: Date): Promise<Source | undefined> {
  return db
    .updateTable('sources')
    .set((eb) => ({
      updated_at: now,
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.topics !== undefined ? { topics: patch.topics } : {}),
      ...(patch.enabled === false
        ? {
            enabled: false,
            // Keep a more telling reason (410 Gone, removed from the config) if already disabled.
            disabled_reason: sql<string | null>`case when sources.enabled then ${DISABLED_REASONS.paused} else sources.disabled_reason end`,
          }
        : {}),
      ...(patch.enabled === true
        ? // Resuming a merged source makes its URL its own again (it merges anew if it still redirects).
          { enabled: true, disabled_reason: null, merged_into_id: null, next_poll_at: sql<Date>`case when sources.enabled then sources.next_poll_at else ${now}::timestamptz end` }
        : {}),
      ...(patch.pollIntervalSeconds !== undefined ? { poll_interval_seconds: patch.pollIntervalSeconds } : {}),
      // A shorter interval takes effect now rather than after the poll already scheduled.
      ...(patch.pollIntervalSeconds != null && patch.enabled !== true
        ? { next_poll_at: sql<Date>`least(sources.next_poll_at, ${new Date(now.getTime() + patch.pollIntervalSeconds * 1000)}::timestamptz)` }
        : {}),
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * The sources these URLs name: by their URL, or by a URL they had before their feed moved
 * (previous_urls). `url` is the URL asked for; `sourceUrl` the source's own.
 */
export async function sourcesByUrl(db: Executor, urls: string[]): Promise<Array<{ id: number; url: string; sourceUrl: string }>> {
  if (urls.length === 0) return [];
  const rows = await sql<{ id: number; url: string; source_url: string }>`
    select distinct on (asked.url) s.id, asked.url, s.url as source_url
    from unnest(${urls}::text[]) as asked(url)
    join sources s on s.url = asked.url or asked.url = any(s.previous_urls)
    order by asked.url, (s.url = asked.url) desc, s.id`.execute(db);
  return rows.rows.map((r) => ({ id: r.id, url: r.url, sourceUrl: r.source_url }));
}
