/**
 * Finding the earlier copies a new item may join (story-assignment.ts asks): the grouping
 * columns of items as read, the look-up of stored candidates (same canonical URL, or a shared
 * bucket key within the window), and the in-memory index of the batch being grouped.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { StoryCandidate, TextSignature } from '../model.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/** Ends the ~1 in 10^4 chance of a hot bucket turning one look-up into a scan of thousands. */
const MAX_CANDIDATES = 2000;

/**
 * The grouping columns of an item, as read. Its arrays arrive as JSON: pg parses a Postgres
 * array literal one character at a time (postgres-array allocates an object per character),
 * and these ~40 elements a row were a third of the main thread's allocations in a cold poll
 * cycle (sampling heap profile); JSON.parse reads them natively.
 */
export interface GroupingRow {
  id: number;
  story_id: number;
  canonical_url: string | null;
  published_at: Date;
  fingerprint: string | null;
  lead_fingerprint: string | null;
  bucket_keys: string[];
  title_key: string[];
  numbers: string[];
  body_length: number;
  near_duplicates: boolean;
}

/** An item (new or stored) as grouping sees it; storyId changes when a new item joins a story. */
export interface Groupable {
  id: number;
  storyId: number;
  publishedAt: Date;
  canonicalUrl: string | null;
  bucketKeys: string[];
  /** Null when the item cannot be matched by text (no signature, or its source opted out). */
  signature: TextSignature | null;
}

export function toGroupable(row: GroupingRow): Groupable {
  const signature =
    row.fingerprint === null || row.lead_fingerprint === null || !row.near_duplicates
      ? null
      : {
          fingerprint: BigInt(row.fingerprint),
          leadFingerprint: BigInt(row.lead_fingerprint),
          bucketKeys: row.bucket_keys.map(BigInt),
          titleKey: row.title_key,
          numbers: row.numbers,
          length: row.body_length,
        };
  return { id: row.id, storyId: row.story_id, publishedAt: row.published_at, canonicalUrl: row.canonical_url, bucketKeys: row.bucket_keys, signature };
}

/** Selects a GroupingRow from items `i` joined with their sources `s`. */
export const GROUPING_COLUMNS = [
  'i.id',
  'i.story_id',
  'i.canonical_url',
  'i.published_at',
  sql<string | null>`i.fingerprint::text`.as('fingerprint'),
  sql<string | null>`i.lead_fingerprint::text`.as('lead_fingerprint'),
  sql<string[]>`to_json(i.bucket_keys::text[])`.as('bucket_keys'),
  sql<string[]>`to_json(i.title_key)`.as('title_key'),
  sql<string[]>`to_json(i.numbers)`.as('numbers'),
  'i.body_length',
  's.near_duplicates',
] as const;

/** An item without a signature can still match by canonical URL; its text never matches. */
export const EMPTY_SIGNATURE: TextSignature = { fingerprint: 0n, leadFingerprint: 0n, bucketKeys: [], titleKey: [], numbers: [], length: 0 };

/** What a candidate needs for grouping (see GroupingRow), read straight from the index hits. */
const CANDIDATE_COLUMNS = sql.raw(
  'i.id, i.story_id, i.canonical_url, i.published_at, i.fingerprint, i.lead_fingerprint, i.bucket_keys, i.title_key, i.numbers, i.body_length, i.source_id',
);

/** New items probed per statement: one GIN probe each, united. */
const PROBES_PER_QUERY = 100;

/**
 * Stored items that could be earlier copies of the new ones: same canonical URL (at any
 * time), or a shared bucket key within the window (GIN index on bucket_keys), from
 * sources that allow text grouping.
 */
export async function storedCandidates(db: Executor, items: GroupingRow[], windowMs: number): Promise<GroupingRow[]> {
  const urls = [...new Set(items.map((i) => i.canonical_url).filter((u): u is string => u !== null))];
  const textual = windowMs > 0 ? items.filter((i) => i.near_duplicates && i.fingerprint !== null && i.bucket_keys.length > 0) : [];
  const found = new Map<number, GroupingRow>();
  for (let start = 0; start === 0 || start < textual.length; start += PROBES_PER_QUERY) {
    const rows = await candidateQuery(db, start === 0 ? urls : [], textual.slice(start, start + PROBES_PER_QUERY), windowMs);
    for (const row of rows) found.set(row.id, row);
  }
  return [...found.values()];
}

async function candidateQuery(db: Executor, urls: string[], probes: GroupingRow[], windowMs: number): Promise<GroupingRow[]> {
  if (urls.length === 0 && probes.length === 0) return [];
  const probeRows = JSON.stringify(
    probes.map((p) => ({ keys: p.bucket_keys, lo: new Date(p.published_at.getTime() - windowMs), hi: new Date(p.published_at.getTime() + windowMs) })),
  );
  // Two index uses, each returning its rows' grouping columns so nothing joins back: the hash
  // index for canonical URLs, and one GIN probe per new item (its 13 keys) through a LATERAL
  // join over the probes, planned once. Alternatives measured at a million items: one OR made
  // the planner walk the published_at index over every item; one `&&` with hundreds of keys
  // it estimates as unselective and scans the table; the time window beside the `&&` made it
  // AND the GIN bitmap with a bitmap of half the table; a UNION of per-item probes cost ~25 ms
  // of planning; an `id IN (…)` over the probes was hash-joined against a scan of all items.
  // OFFSET 0 fences keep each look-up a pure index look-up; filters apply to their few rows
  // (a `story_id is not null` filter inside a probe once made the planner walk the story_id
  // index instead, whenever statistics said most items were ungrouped). Only the grouping
  // columns are read: the UNION compares whole rows, and whole item rows (bodies included)
  // made it the costliest step of a cold poll cycle.
  const rows = await sql<GroupingRow>`
    with candidates as (
      select * from (select ${CANDIDATE_COLUMNS} from items i where i.canonical_url = any(${urls}::text[]) offset 0) as u
      union
      select k.*
      from jsonb_to_recordset(${probeRows}::jsonb) as p(keys bigint[], lo timestamptz, hi timestamptz)
      cross join lateral (select ${CANDIDATE_COLUMNS} from items i where i.bucket_keys && p.keys offset 0) as k
      where k.published_at between p.lo and p.hi
    )
    select c.id, c.story_id, c.canonical_url, c.published_at, c.fingerprint::text as fingerprint,
           c.lead_fingerprint::text as lead_fingerprint, to_json(c.bucket_keys::text[]) as bucket_keys,
           to_json(c.title_key) as title_key, to_json(c.numbers) as numbers, c.body_length, s.near_duplicates
    from candidates c join sources s on s.id = c.source_id
    -- Only grouped items: a queued item's story does not exist yet (those of this batch are
    -- matched in memory). A scalar subquery, so each candidate is one primary-key probe: as
    -- EXISTS it became a hash join over every story (13 of 22 ms at 40,000 stories).
    where (select true from stories st where st.id = c.story_id)
      -- A text candidate's source must allow text grouping; canonical URLs always group.
      and (c.canonical_url = any(${urls}::text[]) or s.near_duplicates)
    limit ${MAX_CANDIDATES}`.execute(db);
  return rows.rows;
}

/**
 * The stories each of these items was split out of by an admin (story_splits, by source and
 * item_key): its candidates in those stories are not candidates. The table holds a few rows
 * per curated story, so this is a handful of primary-key probes, usually none.
 */
export async function storiesKeptOut(db: Executor, itemIds: number[]): Promise<Map<number, Set<number>>> {
  const kept = new Map<number, Set<number>>();
  if (itemIds.length === 0) return kept;
  // Driven by story_splits (OFFSET 0 fence: one probe of the items key per split), never by the batch's ids.
  const rows = await sql<{ item_id: number; story_id: number }>`
    select i.id as item_id, sp.story_id from story_splits sp
    cross join lateral (select i.id from items i where i.source_id = sp.source_id and i.item_key = sp.item_key offset 0) as i
    where i.id = any(${itemIds}::bigint[])`.execute(db);
  for (const row of rows.rows) kept.set(row.item_id, (kept.get(row.item_id) ?? new Set()).add(row.story_id));
  return kept;
}

/** In-memory inverted index of possible earlier copies: by canonical URL and by bucket key. */
export class CandidateIndex {
  private readonly byUrl = new Map<string, Groupable[]>();
  private readonly byKey = new Map<string, Groupable[]>();

  add(item: Groupable): void {
    if (item.canonicalUrl !== null) push(this.byUrl, item.canonicalUrl, item);
    if (item.signature !== null) for (const key of new Set(item.bucketKeys)) push(this.byKey, key, item);
  }

  candidatesFor(item: Groupable, windowMs: number): StoryCandidate<number>[] {
    const found = new Map<number, Groupable>();
    for (const c of item.canonicalUrl === null ? [] : (this.byUrl.get(item.canonicalUrl) ?? [])) found.set(c.id, c);
    if (item.signature !== null) {
      for (const key of item.bucketKeys) {
        for (const c of this.byKey.get(key) ?? []) {
          if (Math.abs(c.publishedAt.getTime() - item.publishedAt.getTime()) <= windowMs) found.set(c.id, c);
        }
      }
    }
    return [...found.values()].map((c) => ({
      id: c.id,
      storyId: c.storyId,
      publishedAt: c.publishedAt,
      canonicalUrl: c.canonicalUrl,
      // A candidate found only through its canonical URL may lack a signature: it then never matches by text.
      signature: c.signature ?? EMPTY_SIGNATURE,
    }));
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
