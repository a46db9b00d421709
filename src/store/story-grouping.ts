/**
 * Grouping new items into stories: every item joins the story of an earlier copy (same
 * canonical URL, or a near-duplicate text within the time window), or founds a story.
 * The SQL and bookkeeping live here; which candidate to join is decided by the caller's
 * `decide` (src/ingest/story-match.ts chooseStory), a pure function of the signatures.
 *
 * An item is stored with the id of a story of its own and queued in `ungrouped_items`
 * (store/items.ts). Grouping creates that story when the item founds one, and rewrites the
 * item only when it joins another story: most items are written once.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, StoryReason } from '../db/schema.ts';
import type { TextSignature } from '../ingest/fingerprint.ts';
import type { StoryCandidate, StoryDecision } from '../ingest/story-match.ts';
import { idIn } from './id-list.ts';
import { refreshStories } from './stories.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface StoryGrouping {
  /** Copies further apart in publication time than this are different stories. */
  windowMs: number;
  decide(item: { canonicalUrl: string | null; signature: TextSignature }, candidates: readonly StoryCandidate<number>[]): StoryDecision<number>;
}

/** Canonical-URL grouping only (no text matching): for callers without dedupe settings. */
export const CANONICAL_URL_ONLY: StoryGrouping = {
  windowMs: 0,
  decide: (item, candidates) => {
    const same = [...candidates].sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime()).find((c) => c.canonicalUrl === item.canonicalUrl);
    return same ? { storyId: same.storyId, via: 'canonical-url', matchedId: same.id, match: null } : { storyId: null, via: null, matchedId: null, match: null };
  },
};

export interface StoryChanges {
  /** Stories created or changed. */
  storyIds: number[];
  /** Topics whose feeds may look different now (before and after the change). */
  topics: Set<string>;
  /** New items that joined an existing story, by how they matched. */
  merged: { 'canonical-url': number; text: number };
}

/** Ends the ~1 in 10^4 chance of a hot bucket turning one look-up into a scan of thousands. */
const MAX_CANDIDATES = 2000;
// Any fixed 64-bit key: one lock serializes story assignment across concurrent polls and instances.
const STORY_ASSIGNMENT_LOCK = 0x7469_6469_6e67_73n; // "tidings"

/**
 * The grouping columns of an item, as read. Its arrays arrive as JSON: pg parses a Postgres
 * array literal one character at a time (postgres-array allocates an object per character),
 * and these ~40 elements a row were a third of the main thread's allocations in a cold poll
 * cycle (sampling heap profile); JSON.parse reads them natively.
 */
interface GroupingRow {
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

/** The grouping columns of new items still in the queue (stored, not yet grouped). */
function queuedRows(db: Executor) {
  return db
    .selectFrom('ungrouped_items as u')
    .innerJoin('items as i', 'i.id', 'u.item_id')
    .innerJoin('sources as s', 's.id', 'i.source_id')
    .select(GROUPING_COLUMNS);
}

/**
 * Two polls inserting copies of one article at once must not each found a story: the second
 * waits here until the first commits, then sees its items as candidates.
 */
async function lockAssignment(db: Executor): Promise<void> {
  await sql`select pg_advisory_xact_lock(${STORY_ASSIGNMENT_LOCK}::bigint)`.execute(db);
}

interface Groupable {
  id: number;
  storyId: number;
  publishedAt: Date;
  canonicalUrl: string | null;
  bucketKeys: string[];
  /** Null when the item cannot be matched by text (no signature, or its source opted out). */
  signature: TextSignature | null;
}

function toGroupable(row: GroupingRow): Groupable {
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

const GROUPING_COLUMNS = [
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

/** Items grouped per transaction: large enough to amortize the look-up, small enough to keep the lock short. */
const PENDING_BATCH = 2000;

/**
 * Groups every item still without a story (oldest first, in batches), and refreshes the
 * stories of `updatedItemIds` (items changed in place). Each batch is one transaction
 * under the assignment lock, so any number of pollers and instances may call it; items a
 * crashed poller committed but never grouped are picked up by the next call.
 */
export async function groupPendingItems(db: Kysely<DB>, now: Date, grouping: StoryGrouping, updatedItemIds: number[] = []): Promise<StoryChanges> {
  const total: StoryChanges = { storyIds: [], topics: new Set(), merged: { 'canonical-url': 0, text: 0 } };
  let updated = updatedItemIds;
  for (;;) {
    const batch = await db.transaction().execute(async (trx) => {
      await lockAssignment(trx);
      const pending = (await queuedRows(trx).orderBy('u.published_at').orderBy('u.item_id').limit(PENDING_BATCH).execute()) as GroupingRow[];
      const changes = await placeItems(trx, pending, updated, now, grouping);
      return { changes, full: pending.length === PENDING_BATCH };
    });
    updated = [];
    total.storyIds.push(...batch.changes.storyIds);
    for (const topic of batch.changes.topics) total.topics.add(topic);
    total.merged['canonical-url'] += batch.changes.merged['canonical-url'];
    total.merged.text += batch.changes.merged.text;
    if (!batch.full) return total;
  }
}

/**
 * Puts the given new items (those still queued) into stories, then refreshes the aggregates
 * and topics of every story that gained or changed an item. Runs inside the caller's
 * transaction.
 */
async function placeItems(db: Executor, rows: GroupingRow[], updatedIds: number[], now: Date, grouping: StoryGrouping): Promise<StoryChanges> {
  const touched = new Set<number>();
  let merged = { 'canonical-url': 0, text: 0 };
  let foundedOnly: number[] = [];
  if (rows.length > 0) {
    const grouped = await groupNewItems(db, rows, now, grouping);
    for (const id of grouped.joined) touched.add(id);
    foundedOnly = grouped.foundedOnly;
    merged = grouped.merged;
  }
  if (updatedIds.length > 0) {
    const rows = await db.selectFrom('items').select('story_id').where(idIn('id', updatedIds)).where('story_id', 'is not', null).execute();
    for (const row of rows) touched.add(row.story_id!);
  }
  const refreshed = [...touched];
  const fresh = foundedOnly.filter((id) => !touched.has(id));
  const topics = await refreshStories(db, refreshed, now);
  for (const topic of await addFoundedStoryTopics(db, fresh)) topics.add(topic);
  return { storyIds: [...refreshed, ...fresh], topics, merged };
}

async function groupNewItems(
  db: Executor,
  queued: GroupingRow[],
  now: Date,
  grouping: StoryGrouping,
): Promise<{ foundedOnly: number[]; joined: number[]; merged: StoryChanges['merged'] }> {
  const rows = [...queued].sort((a, b) => a.published_at.getTime() - b.published_at.getTime() || a.id - b.id);
  const index = new CandidateIndex();
  for (const candidate of await storedCandidates(db, rows, grouping.windowMs)) index.add(toGroupable(candidate));

  const joiners: Joiner[] = [];
  const founders: GroupingRow[] = [];
  for (const row of rows) {
    const item = toGroupable(row); // its own story until it joins one
    const candidates = index.candidatesFor(item, grouping.windowMs);
    const decision = item.signature || candidates.length > 0
      ? grouping.decide({ canonicalUrl: item.canonicalUrl, signature: item.signature ?? EMPTY_SIGNATURE }, candidates)
      : { storyId: null, via: null, matchedId: null, match: null };
    if (decision.storyId === null) {
      founders.push(row);
    } else {
      item.storyId = decision.storyId;
      joiners.push({ itemId: row.id, storyId: decision.storyId, reason: storyReason(decision) });
    }
    index.add(item);
  }
  await createStories(db, founders, now);
  await setStoryIds(db, joiners);
  await db.deleteFrom('ungrouped_items').where(idIn('item_id', rows.map((r) => r.id))).execute();
  const merged = { 'canonical-url': 0, text: 0 };
  const joined = new Set<number>();
  for (const { reason, storyId } of joiners) {
    merged[reason.via]++;
    joined.add(storyId);
  }
  // A story founded here and joined by no other item already has the right aggregates
  // (createStories); it only needs its topics. Joined stories need a full refresh.
  const foundedOnly = founders.map((f) => f.story_id).filter((id) => !joined.has(id));
  return { foundedOnly, joined: [...joined], merged };
}

/** An item without a signature can still match by canonical URL; its text never matches. */
const EMPTY_SIGNATURE: TextSignature = { fingerprint: 0n, leadFingerprint: 0n, bucketKeys: [], titleKey: [], numbers: [], length: 0 };

type JoinReason = Exclude<StoryReason, { via: 'founded' }>;

interface Joiner {
  itemId: number;
  storyId: number;
  reason: JoinReason;
}

function storyReason(decision: StoryDecision<number>): JoinReason {
  if (decision.via === 'text' && decision.match) {
    const { hammingDistance, leadHammingDistance, titleSimilarity, reason } = decision.match;
    return { via: 'text', matchedItemId: decision.matchedId!, hammingDistance, leadHammingDistance, titleSimilarity, reason };
  }
  return { via: 'canonical-url', matchedItemId: decision.matchedId! };
}

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
async function storedCandidates(db: Executor, items: GroupingRow[], windowMs: number): Promise<GroupingRow[]> {
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

/** In-memory inverted index of possible earlier copies: by canonical URL and by bucket key. */
class CandidateIndex {
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

/**
 * Topics of stories that consist of their founder only: its item's topics. Driven by the ids
 * (LATERAL … OFFSET 0: primary-key probes), as stories.ts explains.
 */
async function addFoundedStoryTopics(db: Executor, storyIds: number[]): Promise<Set<string>> {
  if (storyIds.length === 0) return new Set();
  const rows = await sql<{ topic: string }>`
    insert into story_topics (topic, story_id, published_at)
    select distinct t.topic, s.id, s.published_at
    from unnest(${storyIds}::bigint[]) as x(id)
    cross join lateral (select s.id, s.published_at, s.representative_item_id from stories s where s.id = x.id offset 0) as s
    cross join lateral (select i.topics from items i where i.id = s.representative_item_id offset 0) as i
    cross join lateral unnest(i.topics) as t(topic)
    on conflict do nothing
    returning topic`.execute(db);
  return new Set(rows.rows.map((r) => r.topic));
}

/** Creates the stories founders were stored with (their story_id, drawn from the stories id sequence). */
async function createStories(db: Executor, founders: GroupingRow[], now: Date): Promise<void> {
  for (let start = 0; start < founders.length; start += 1000) {
    const values = sql.join(founders.slice(start, start + 1000).map((f) => sql`(${f.story_id}::bigint, ${f.id}::bigint, ${f.published_at}::timestamptz)`));
    await sql`
      insert into stories (id, representative_item_id, published_at, first_seen_at, updated_at)
      overriding system value
      select v.id, v.item_id, v.published_at, ${now}::timestamptz, ${now}::timestamptz from (values ${values}) as v(id, item_id, published_at)`.execute(db);
  }
}

/** Moves joiners into the stories they joined. */
async function setStoryIds(db: Executor, assignments: Joiner[]): Promise<void> {
  for (let start = 0; start < assignments.length; start += 1000) {
    const values = sql.join(assignments.slice(start, start + 1000).map((a) => sql`(${a.itemId}::bigint, ${a.storyId}::bigint, ${JSON.stringify(a.reason)}::jsonb)`));
    await sql`update items set story_id = v.story_id, story_reason = v.reason from (values ${values}) as v(item_id, story_id, reason) where items.id = v.item_id`.execute(db);
  }
}
