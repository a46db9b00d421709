/** All SQL about items: the idempotent batched upsert of one poll's items, and reads. */
import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, NewItem } from '../db/schema.ts';
import type { TextSignature } from '../ingest/fingerprint.ts';
import { SIGNATURE_VERSION } from '../ingest/fingerprint.ts';
import type { NormalizedItem } from '../model.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/** An item ready to store: the normalized item plus what later stages derived from it. */
export interface StorableItem extends NormalizedItem {
  canonicalUrl: string | null;
  /** Topic slugs the item belongs to (classify.ts). */
  topics: string[];
  /** Near-duplicate signature (fingerprint.ts); null leaves the item to canonical-URL grouping. */
  signature: TextSignature | null;
}

export interface UpsertResult {
  /** Ids of new rows, for story assignment. */
  insertedIds: number[];
  /** Ids of rows changed in place. */
  updatedIds: number[];
}

// 500-row multi-row INSERTs reach ~10,000 items/s (ARCHITECTURE.md) and stay far under
// Postgres's 65,535 bind parameters (29 columns × 500).
const BATCH_SIZE = 500;
// A btree index entry must fit in ~2.7 kB; a hostile feed's 10 kB guid must not fail the poll.
const MAX_KEY_LENGTH = 512;

/** Postgres text cannot hold NUL; a stray one would fail the whole poll's transaction. */
function pgText(value: string): string;
function pgText(value: string | null): string | null;
function pgText(value: string | null): string | null {
  return value === null || !value.includes('\u0000') ? value : value.replaceAll('\u0000', '');
}

export function storageKey(key: string): string {
  return key.length <= MAX_KEY_LENGTH ? pgText(key) : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** A digest of everything stored from the feed: equal hashes mean "nothing changed, write nothing". */
export function contentHash(item: StorableItem): string {
  const fields = [
    item.url,
    item.canonicalUrl,
    item.title,
    item.summary,
    item.contentHtml,
    item.author,
    item.categories.join('\u001f'),
    item.publishedAt?.toISOString() ?? null,
    item.updatedAt?.toISOString() ?? null,
    item.enclosure ? `${item.enclosure.url} ${item.enclosure.type} ${item.enclosure.length}` : null,
    // A new signature algorithm rewrites each item once, so its signature is recomputed.
    item.signature ? SIGNATURE_VERSION : 0,
  ];
  return createHash('sha1').update(JSON.stringify(fields)).digest('base64url');
}

function toRow(sourceId: number, item: StorableItem, now: Date): NewItem {
  // An item's effective publication time: as stated, but never in the future and, when the
  // feed gives none, the time we first saw it (so undated items sort as new, not as ancient).
  const published = item.publishedAt && item.publishedAt.getTime() <= now.getTime() ? item.publishedAt : now;
  return {
    source_id: sourceId,
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
    content_hash: contentHash(item),
    topics: item.topics,
    fingerprint: item.signature?.fingerprint ?? null,
    lead_fingerprint: item.signature?.leadFingerprint ?? null,
    bucket_keys: item.signature?.bucketKeys ?? [],
    title_key: item.signature?.titleKey.map((t) => pgText(t)) ?? [],
    numbers: item.signature?.numbers ?? [],
    body_length: item.signature?.length ?? 0,
    signature_version: item.signature ? SIGNATURE_VERSION : 0,
  };
}

/**
 * Inserts new items and updates changed ones in place, keyed by (source_id, item_key).
 * Unchanged items are not written at all (the WHERE on content_hash), so re-polling an
 * unchanged feed writes no rows. Items missing from this poll are left alone.
 */
export async function upsertItems(db: Executor, sourceId: number, items: StorableItem[], now: Date): Promise<UpsertResult> {
  const result: UpsertResult = { insertedIds: [], updatedIds: [] };
  const rows = dedupeByKey(items.map((item) => toRow(sourceId, item, now)));
  for (let start = 0; start < rows.length; start += BATCH_SIZE) {
    const written = await db
      .insertInto('items')
      .values(rows.slice(start, start + BATCH_SIZE))
      .onConflict((oc) =>
        oc
          .columns(['source_id', 'item_key'])
          .doUpdateSet((eb) => ({
            url: eb.ref('excluded.url'),
            canonical_url: eb.ref('excluded.canonical_url'),
            title: eb.ref('excluded.title'),
            summary: eb.ref('excluded.summary'),
            content_html: eb.ref('excluded.content_html'),
            author: eb.ref('excluded.author'),
            categories: eb.ref('excluded.categories'),
            enclosure_url: eb.ref('excluded.enclosure_url'),
            enclosure_type: eb.ref('excluded.enclosure_type'),
            enclosure_length: eb.ref('excluded.enclosure_length'),
            // Clamp against the first sighting, not this poll. least() skips NULL, so an
            // item that lost its date keeps its first-seen time.
            published_at: sql`least(excluded.feed_published_at, items.first_seen_at)`,
            feed_published_at: eb.ref('excluded.feed_published_at'),
            feed_updated_at: eb.ref('excluded.feed_updated_at'),
            changed_at: eb.ref('excluded.changed_at'),
            content_hash: eb.ref('excluded.content_hash'),
            topics: eb.ref('excluded.topics'),
            fingerprint: eb.ref('excluded.fingerprint'),
            lead_fingerprint: eb.ref('excluded.lead_fingerprint'),
            bucket_keys: eb.ref('excluded.bucket_keys'),
            title_key: eb.ref('excluded.title_key'),
            numbers: eb.ref('excluded.numbers'),
            body_length: eb.ref('excluded.body_length'),
            signature_version: eb.ref('excluded.signature_version'),
          }))
          .where('items.content_hash', 'is distinct from', (eb) => eb.ref('excluded.content_hash')),
      )
      .returning(['id', sql<boolean>`xmax = 0`.as('inserted')])
      .execute();
    for (const row of written) (row.inserted ? result.insertedIds : result.updatedIds).push(row.id);
  }
  return result;
}

/** ON CONFLICT cannot touch one row twice in a statement: keep the first of each key. */
function dedupeByKey(rows: NewItem[]): NewItem[] {
  const seen = new Set<string>();
  return rows.filter((row) => !seen.has(row.item_key) && Boolean(seen.add(row.item_key)));
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
  content_html: string | null;
  topics: string[];
}

/** Items published since `since`, in id order after `afterId`, a page at a time. */
export async function itemsToClassify(db: Executor, since: Date, afterId: number, limit: number): Promise<ClassifiableRow[]> {
  return db
    .selectFrom('items')
    .select(['id', 'source_id', 'story_id', 'title', 'summary', 'categories', 'content_html', 'topics'])
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
