/**
 * All SQL that reads sources: the listing with health, item counts and push subscription (admin, CLI), the
 * plain listing (export), each source's topics (classification), and lookups by URL.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, Source } from '../db/schema.ts';
import { wantedSubscriptions, type PushHealth } from './websub-subscriptions.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface SourceHealth extends Source, PushHealth {
  items_total: number;
  items_last_7_days: number;
  /** Items of the last 7 days whose article could not be extracted (fullContent), and the latest reason. */
  full_content_failures: number;
  full_content_last_error: string | null;
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
    .leftJoin(wantedSubscriptions(db).as('push'), 'push.source_id', 'sources.id')
    .selectAll('sources')
    .select(['push.state as push_state', 'push.hub_url as push_hub', 'push.last_push_at as push_last_at', 'push.last_error as push_error'])
    .select((eb) => [
      eb.selectFrom('items').select(eb.fn.countAll<number>().as('n')).whereRef('items.source_id', '=', 'sources.id').as('items_total'),
      eb
        .selectFrom('items')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('items.source_id', '=', 'sources.id')
        .where('items.first_seen_at', '>=', weekAgo)
        .as('items_last_7_days'),
      // An item's page is fetched when it is written (src/ingest/full-content.ts): changed_at dates the outcome.
      eb
        .selectFrom('items')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('items.source_id', '=', 'sources.id')
        // A one-time filter: no scan of the items of a source without fullContent.
        .where(sql<boolean>`sources.full_content`)
        .where('items.full_content_error', 'is not', null)
        .where('items.changed_at', '>=', weekAgo)
        .as('full_content_failures'),
      eb
        .selectFrom('items')
        .select('items.full_content_error')
        .whereRef('items.source_id', '=', 'sources.id')
        // A one-time filter: no scan of the items of a source without fullContent.
        .where(sql<boolean>`sources.full_content`)
        .where('items.full_content_error', 'is not', null)
        .where('items.changed_at', '>=', weekAgo)
        .orderBy('items.changed_at', 'desc')
        .orderBy('items.id', 'desc')
        .limit(1)
        .as('full_content_last_error'),
    ]);
}

/** Each source's declared topics (for classification). */
export async function listSourceTopics(db: Kysely<DB>): Promise<Array<{ id: number; topics: string[]; title: string | null; url: string }>> {
  return db.selectFrom('sources').select(['id', 'topics', 'title', 'url']).orderBy('id').execute();
}

/** Every source, by id (for export). */
export async function listSources(db: Kysely<DB>): Promise<Source[]> {
  return db.selectFrom('sources').selectAll().orderBy('id').execute();
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
