/** All SQL about items: the idempotent batched upsert of one poll's items, and reads. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { itemDate, SIGNATURE_VERSION, type NormalizedItem, type TextSignature } from '../model.ts';
import { htmlToPlainText } from '../text/html-text.ts';
import { searchTokens } from '../text/search-tokens.ts';
import { pgText, storageKey, storedItemMark } from '../text/storable-text.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/** An item ready to store: the normalized item plus what later stages derived from it. */
export interface StorableItem extends NormalizedItem {
  canonicalUrl: string | null;
  /** The article is on the source's own site (src/dedupe/own-site.ts): the original among same-URL copies. */
  ownSite: boolean;
  /** Topic slugs the item belongs to (classify.ts). */
  topics: string[];
  /** Near-duplicate signature (src/dedupe/text-signature.ts); null leaves the item to canonical-URL grouping. */
  signature: TextSignature | null;
  /** itemContentHash (model.ts): equal hashes mean "nothing changed, write nothing". */
  contentHash: string;
  /** The item's page and its article, for a source with fullContent; none: not fetched (yet). */
  fullContent?: StoredArticle | null | undefined;
  /** Its search tokens (src/text/search-tokens.ts), when the caller has them already (read-feed.ts does); else computed here. */
  searchTokens?: string[] | undefined;
}

/** What came of fetching an item's page for its article (src/ingest/full-content.ts). */
export interface StoredArticle {
  /** The article, sanitized; null: the feed's own content stands. */
  html: string | null;
  /** The item's content hash the page was fetched for: not fetched again while it holds. */
  forHash: string;
  /** Why there is no article ("code: message"); null when there is one. */
  error: string | null;
  etag: string | null;
  lastModified: string | null;
}

/** A page fetched for a stored item, and its article: what a conditional GET for its next version needs. */
export interface StoredArticlePage {
  itemKey: string;
  html: string;
  etag: string | null;
  lastModified: string | null;
}

export interface UpsertResult {
  /** Ids of new rows, for story assignment. */
  insertedIds: number[];
  /** Ids of rows changed in place. */
  updatedIds: number[];
}

// 500-row INSERT … ON CONFLICT batches reach ~10,000 items/s (docs/architecture.md).
const BATCH_SIZE = 500;

/**
 * The stored columns of an item with their Postgres types, in one place: the batch insert
 * reads its rows from one JSON parameter through this record definition.
 */
const ITEM_COLUMNS = {
  item_key: 'text',
  url: 'text',
  canonical_url: 'text',
  title: 'text',
  summary: 'text',
  content_html: 'text',
  author: 'text',
  categories: 'text[]',
  enclosure_url: 'text',
  enclosure_type: 'text',
  enclosure_length: 'bigint',
  published_at: 'timestamptz',
  feed_published_at: 'timestamptz',
  feed_updated_at: 'timestamptz',
  first_seen_at: 'timestamptz',
  changed_at: 'timestamptz',
  content_hash: 'text',
  topics: 'text[]',
  fingerprint: 'bigint',
  lead_fingerprint: 'bigint',
  bucket_keys: 'bigint[]',
  title_key: 'text[]',
  numbers: 'text[]',
  body_length: 'integer',
  signature_version: 'smallint',
  truncated: 'text[]',
  own_site: 'boolean',
  full_content_html: 'text',
  full_content_for: 'text',
  full_content_error: 'text',
  full_content_etag: 'text',
  full_content_last_modified: 'text',
  search_tokens: 'text[]',
} as const;

/** One item as JSON for the insert: 64-bit numbers as strings, dates as ISO strings. */
type ItemRecord = Record<keyof typeof ITEM_COLUMNS, string | number | boolean | string[] | Date | null>;

function toRecord(item: StorableItem, now: Date): ItemRecord {
  // An item's date: its published date, else its updated date (Atom entries often carry only
  // <updated>, RFC 4287 §4.2.15), never in the future and, when the feed gives neither, the
  // time we first saw it (so undated items sort as new, not as ancient). The same date orders
  // topic feeds, places stories in digests and drives the poll interval (poll-schedule.ts).
  const stated = itemDate(item);
  const published = stated && stated.getTime() <= now.getTime() ? stated : now;
  return {
    item_key: storageKey(item.key),
    url: pgText(item.url),
    canonical_url: pgText(item.canonicalUrl),
    title: pgText(item.title),
    summary: pgText(item.summary),
    content_html: pgText(item.contentHtml),
    author: pgText(item.author),
    categories: item.categories.map((c) => pgText(c)),
    enclosure_url: pgText(item.enclosure?.url ?? null),
    enclosure_type: pgText(item.enclosure?.type ?? null),
    enclosure_length: item.enclosure?.length ?? null,
    published_at: published,
    feed_published_at: item.publishedAt,
    feed_updated_at: item.updatedAt,
    first_seen_at: now,
    changed_at: now,
    content_hash: item.contentHash,
    topics: item.topics,
    fingerprint: item.signature?.fingerprint.toString() ?? null,
    lead_fingerprint: item.signature?.leadFingerprint.toString() ?? null,
    bucket_keys: item.signature?.bucketKeys.map(String) ?? [],
    title_key: item.signature?.titleKey.map((t) => pgText(t)) ?? [],
    numbers: item.signature?.numbers ?? [],
    body_length: item.signature?.length ?? 0,
    signature_version: item.signature ? SIGNATURE_VERSION : 0,
    truncated: item.truncated,
    own_site: item.ownSite,
    full_content_html: pgText(item.fullContent?.html ?? null),
    full_content_for: item.fullContent?.forHash ?? null,
    full_content_error: pgText(item.fullContent?.error ?? null),
    full_content_etag: pgText(item.fullContent?.etag ?? null),
    full_content_last_modified: pgText(item.fullContent?.lastModified ?? null),
    search_tokens: item.searchTokens ?? searchTokens({ ...item, contentText: item.contentHtml ? htmlToPlainText(item.contentHtml) : '' }),
  };
}

const COLUMN_NAMES = Object.keys(ITEM_COLUMNS);
const INSERT_COLUMNS = sql.raw(['source_id', ...COLUMN_NAMES].join(', '));
const RECORD_COLUMNS = sql.raw(COLUMN_NAMES.map((c) => `r.${c}`).join(', '));
const RECORD_TYPE = sql.raw(
  Object.entries(ITEM_COLUMNS)
    .map(([name, type]) => `${name} ${type}`)
    .join(', '),
);
// On conflict every stored column takes the new value, except the first sighting and
// published_at. A stated publication date is clamped against the first sighting, not this
// poll. Without one the date stays as stored: an entry dated by <updated> alone keeps the
// date it was first seen with, so an edit does not move it to the top of the feed, and an
// item that lost its date keeps the one it had.
const UPDATE_COLUMNS = sql.raw(
  COLUMN_NAMES.filter((c) => c !== 'item_key' && c !== 'first_seen_at')
    .map((c) =>
      c === 'published_at'
        ? 'published_at = case when excluded.feed_published_at is null then items.published_at else least(excluded.feed_published_at, items.first_seen_at) end'
        : `${c} = excluded.${c}`,
    )
    .join(', '),
);

/**
 * Inserts new items and updates changed ones in place, keyed by (source_id, item_key).
 * Unchanged items are not written at all (the WHERE on content_hash), so re-polling an
 * unchanged feed writes no rows. An item whose page was fetched for its article this time
 * (full_content_for) is written too: its feed content is the same, its content is not. Items missing from this poll are left alone. New items
 * are queued for story grouping in the same statement (story-assignment.ts).
 */
export async function upsertItems(db: Executor, sourceId: number, items: StorableItem[], now: Date): Promise<UpsertResult> {
  const result: UpsertResult = { insertedIds: [], updatedIds: [] };
  const records = dedupeByKey(items.map((item) => toRecord(item, now)));
  for (let start = 0; start < records.length; start += BATCH_SIZE) {
    // The batch travels as one JSON parameter: planning a multi-row VALUES list of 26
    // parameters a row took ~4.6 ms a statement (60 rows), this ~0.9 ms (pg_stat_statements).
    const written = await sql<{ id: number; inserted: boolean }>`
      with written as (
        insert into items (${INSERT_COLUMNS})
        select ${sourceId}::bigint, ${RECORD_COLUMNS} from jsonb_to_recordset(${JSON.stringify(records.slice(start, start + BATCH_SIZE))}::jsonb) as r(${RECORD_TYPE})
        on conflict (source_id, item_key) do update set ${UPDATE_COLUMNS}
        where items.content_hash is distinct from excluded.content_hash or items.full_content_for is distinct from excluded.full_content_for
        returning id, published_at, xmax = 0 as inserted
      ), queued as (
        insert into ungrouped_items (item_id, published_at) select id, published_at from written where inserted
      )
      select id, inserted from written`.execute(db);
    for (const row of written.rows) (row.inserted ? result.insertedIds : result.updatedIds).push(row.id);
  }
  return result;
}

/**
 * What a source has stored, as marks (text/storable-text.ts): an item of a new poll whose
 * key and content hash are among them is unchanged, and needs no further work. With
 * `fullContent`, an item whose page was not fetched for this version yet (a poll fetches a
 * bounded number, and the source may have just turned fullContent on) is left out: it is
 * taken as changed, and its page fetched.
 */
export async function storedItemMarks(db: Executor, sourceId: number, fullContent = false): Promise<Set<string>> {
  let query = db.selectFrom('items').select(['item_key', 'content_hash']).where('source_id', '=', sourceId);
  if (fullContent) query = query.where(sql<boolean>`full_content_for is not distinct from content_hash`);
  const rows = await query.execute();
  return new Set(rows.map((row) => storedItemMark(row.item_key, row.content_hash)));
}

/** The stored articles of these items (storage keys) of the source, with their pages' validators. */
export async function storedArticlePages(db: Executor, sourceId: number, itemKeys: string[]): Promise<StoredArticlePage[]> {
  if (itemKeys.length === 0) return [];
  const rows = await db
    .selectFrom('items')
    .select(['item_key', 'full_content_html', 'full_content_etag', 'full_content_last_modified'])
    .where('source_id', '=', sourceId)
    .where('item_key', '=', sql<string>`any(${itemKeys}::text[])`)
    .where('full_content_html', 'is not', null)
    .execute();
  return rows.map((r) => ({ itemKey: r.item_key, html: r.full_content_html!, etag: r.full_content_etag, lastModified: r.full_content_last_modified }));
}

/** ON CONFLICT cannot touch one row twice in a statement: keep the first of each key. */
function dedupeByKey(records: ItemRecord[]): ItemRecord[] {
  const seen = new Set<string>();
  return records.filter((record) => !seen.has(record.item_key as string) && Boolean(seen.add(record.item_key as string)));
}

export async function countItems(db: Executor, sourceId?: number): Promise<number> {
  let query = db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n'));
  if (sourceId !== undefined) query = query.where('source_id', '=', sourceId);
  return (await query.executeTakeFirstOrThrow()).n;
}

export interface ClassifiableRow {
  id: number;
  source_id: number;
  story_id: number | null;
  title: string;
  summary: string;
  categories: string[];
  author: string | null;
  content_html: string | null;
  topics: string[];
}

/** Items published since `since`, in id order after `afterId`, a page at a time. */
export async function itemsToClassify(db: Executor, since: Date, afterId: number, limit: number): Promise<ClassifiableRow[]> {
  return db
    .selectFrom('items')
    .select((eb) => [
      'id',
      'source_id',
      'story_id',
      'title',
      'summary',
      'categories',
      'author',
      eb.fn.coalesce('full_content_html', 'content_html').as('content_html'),
      'topics',
    ])
    .where('published_at', '>=', since)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function setItemTopics(db: Executor, updates: ReadonlyArray<{ id: number; topics: string[] }>): Promise<void> {
  for (let start = 0; start < updates.length; start += 1000) {
    const values = sql.join(updates.slice(start, start + 1000).map((u) => sql`(${u.id}::bigint, ${u.topics}::text[])`));
    await sql`update items set topics = v.topics from (values ${values}) as v(id, topics) where items.id = v.id`.execute(db);
  }
}

/**
 * Deletes up to `batch` items published before `cutoff`, except items of stories a
 * published digest lists (its links must keep working). Rows another transaction holds
 * are skipped (SKIP LOCKED), so pruning never waits on, or blocks, a poll. Returns the
 * stories that lost items.
 */
export async function pruneItemsBatch(db: Executor, cutoff: Date, batch: number): Promise<{ deleted: number; storyIds: number[] }> {
  const result = await sql<{ story_id: number | null }>`
    with protected as materialized (
      select distinct unnest(story_ids) as story_id from digests
    ), doomed as (
      select i.id from items i
      where i.published_at < ${cutoff}
        and not exists (select 1 from protected p where p.story_id = i.story_id)
      order by i.published_at
      limit ${batch}
      for update of i skip locked
    )
    delete from items using doomed where items.id = doomed.id
    returning items.story_id`.execute(db);
  const storyIds = [...new Set(result.rows.map((r) => r.story_id).filter((id): id is number => id !== null))];
  return { deleted: result.rows.length, storyIds };
}
