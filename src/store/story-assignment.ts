/**
 * Grouping new items into stories: every item joins the story of an earlier copy (same
 * canonical URL, or a near-duplicate text within the time window), or founds a story.
 * The SQL and bookkeeping live here (the candidate look-up in story-candidates.ts); which
 * candidate to join is decided by the caller's StoryGrouping `decide` (src/dedupe/: chooseStory),
 * a pure function of the signatures.
 *
 * An item is stored with the id of a story of its own and queued in `ungrouped_items`
 * (store/items.ts). Grouping creates that story when the item founds one, and rewrites the
 * item only when it joins another story: most items are written once.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, StoryReason } from '../db/schema.ts';
import type { StoryDecision, StoryGrouping } from '../model.ts';
import { idIn } from './id-list.ts';
import { addStoryTopics, refreshStories } from './stories.ts';
import { CandidateIndex, EMPTY_SIGNATURE, GROUPING_COLUMNS, storedCandidates, storiesKeptOut, toGroupable, type GroupingRow } from './story-candidates.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface StoryChanges {
  /** Stories created or changed. */
  storyIds: number[];
  /** Topics whose feeds may look different now (before and after the change). */
  topics: Set<string>;
  /** New items that joined an existing story, by how they matched. */
  merged: { 'canonical-url': number; text: number };
}

// Any fixed 64-bit key: one lock serializes story assignment across concurrent polls and instances.
const STORY_ASSIGNMENT_LOCK = 0x7469_6469_6e67_73n; // "tidings"

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
 * waits here until the first commits, then sees its items as candidates. An admin's split or
 * merge (story-curation.ts) takes it too, so no item joins a story being taken apart.
 */
export async function lockAssignment(db: Executor): Promise<void> {
  await sql`select pg_advisory_xact_lock(${STORY_ASSIGNMENT_LOCK}::bigint)`.execute(db);
}

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
  // An item an admin split out of a story never rejoins it (e.g. listed again after retention deleted it).
  const keptOut = await storiesKeptOut(
    db,
    rows.map((r) => r.id),
  );

  const joiners: Joiner[] = [];
  const founders: GroupingRow[] = [];
  for (const row of rows) {
    const item = toGroupable(row); // its own story until it joins one
    const apart = keptOut.get(row.id);
    const candidates = index.candidatesFor(item, grouping.windowMs).filter((c) => apart === undefined || !apart.has(c.storyId));
    const decision =
      item.signature || candidates.length > 0
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
  await db
    .deleteFrom('ungrouped_items')
    .where(
      idIn(
        'item_id',
        rows.map((r) => r.id),
      ),
    )
    .execute();
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

type JoinReason = Extract<StoryReason, { via: 'canonical-url' | 'text' }>;

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

/**
 * Topics of stories that consist of their founder only: its item's topics. Driven by the ids
 * (LATERAL … OFFSET 0: primary-key probes), as stories.ts explains.
 */
async function addFoundedStoryTopics(db: Executor, storyIds: number[]): Promise<Set<string>> {
  if (storyIds.length === 0) return new Set();
  const rows = await addStoryTopics(sql`
    insert into story_topics (topic, story_id, published_at)
    select distinct t.topic, s.id, s.published_at
    from unnest(${storyIds}::bigint[]) as x(id)
    cross join lateral (select s.id, s.published_at, s.representative_item_id from stories s where s.id = x.id offset 0) as s
    cross join lateral (select i.topics from items i where i.id = s.representative_item_id and i.hidden_at is null offset 0) as i
    cross join lateral unnest(i.topics) as t(topic)
    on conflict do nothing`).execute(db);
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
    const values = sql.join(
      assignments.slice(start, start + 1000).map((a) => sql`(${a.itemId}::bigint, ${a.storyId}::bigint, ${JSON.stringify(a.reason)}::jsonb)`),
    );
    await sql`update items set story_id = v.story_id, story_reason = v.reason from (values ${values}) as v(item_id, story_id, reason) where items.id = v.item_id`.execute(
      db,
    );
  }
}
