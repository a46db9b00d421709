/**
 * All SQL about stories: grouping copies of one article (from one or many sources)
 * into a story, keeping each story's aggregates and topics current, and reading
 * topic feeds one entry per story.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { idIn } from './id-list.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface StoryChanges {
  /** Stories created or changed. */
  storyIds: number[];
  /** Topics whose feeds may look different now (before and after the change). */
  topics: Set<string>;
}

/**
 * Puts each new item into a story: the story of an earlier item with the same canonical
 * URL, else a new story (new items sharing a canonical URL share the new story). Then
 * refreshes the aggregates and topics of every story that gained or changed an item.
 */
export async function assignStories(db: Executor, insertedIds: number[], updatedIds: number[], now: Date): Promise<StoryChanges> {
  const touched = new Set<number>();
  if (insertedIds.length > 0) {
    for (const id of await joinOrCreateStories(db, insertedIds, now)) touched.add(id);
  }
  if (updatedIds.length > 0) {
    const rows = await db.selectFrom('items').select('story_id').where(idIn('id', updatedIds)).where('story_id', 'is not', null).execute();
    for (const row of rows) touched.add(row.story_id!);
  }
  const storyIds = [...touched];
  return { storyIds, topics: await refreshStories(db, storyIds, now) };
}

async function joinOrCreateStories(db: Executor, itemIds: number[], now: Date): Promise<number[]> {
  const items = await db
    .selectFrom('items')
    .select(['id', 'canonical_url', 'published_at'])
    .where(idIn('id', itemIds))
    .orderBy('id')
    .execute();
  const urls = items.map((i) => i.canonical_url).filter((u): u is string => u !== null);
  await lockCanonicalUrls(db, urls);
  const existing = await storiesByCanonicalUrl(db, urls, itemIds);

  const assignments = new Map<number, number>(); // item id → story id
  const founders: typeof items = []; // first new item of each new story
  const foundedBy = new Map<string, number>(); // canonical URL → founder item id
  const joiners = new Map<number, number>(); // item id → founder item id
  for (const item of items) {
    const url = item.canonical_url;
    const storyId = url === null ? undefined : existing.get(url);
    if (storyId !== undefined) assignments.set(item.id, storyId);
    else if (url !== null && foundedBy.has(url)) joiners.set(item.id, foundedBy.get(url)!);
    else {
      founders.push(item);
      if (url !== null) foundedBy.set(url, item.id);
    }
  }
  if (founders.length > 0) {
    const created = await db
      .insertInto('stories')
      .values(founders.map((f) => ({ representative_item_id: f.id, published_at: f.published_at, first_seen_at: now, updated_at: now })))
      .returning(['id', 'representative_item_id'])
      .execute();
    const storyOfFounder = new Map(created.map((s) => [s.representative_item_id!, s.id]));
    for (const [founder, storyId] of storyOfFounder) assignments.set(founder, storyId);
    for (const [joiner, founder] of joiners) assignments.set(joiner, storyOfFounder.get(founder)!);
  }
  await setStoryIds(db, assignments);
  return [...new Set(assignments.values())];
}

/**
 * Serializes story assignment per canonical URL across concurrent polls (other sources,
 * other instances): without it, two transactions inserting copies of one article at
 * once each see no story and found two. Held until commit; taken in a fixed order so
 * two transactions never wait on each other in a cycle.
 */
async function lockCanonicalUrls(db: Executor, urls: string[]): Promise<void> {
  if (urls.length === 0) return;
  await sql`select pg_advisory_xact_lock(k) from (select distinct hashtextextended(u, 0) as k from unnest(${[...new Set(urls)]}::text[]) as u order by 1) as keys`.execute(db);
}

/** For each canonical URL, the story of the oldest stored item with it (excluding `newIds`). */
async function storiesByCanonicalUrl(db: Executor, urls: string[], newIds: number[]): Promise<Map<string, number>> {
  if (urls.length === 0) return new Map();
  const rows = await db
    .selectFrom('items')
    .select(['canonical_url', 'story_id'])
    .distinctOn('canonical_url')
    .where(sql<boolean>`canonical_url = any(${[...new Set(urls)]}::text[])`)
    .where('story_id', 'is not', null)
    .where(sql<boolean>`id <> all(${newIds}::bigint[])`)
    .orderBy('canonical_url')
    .orderBy('id')
    .execute();
  return new Map(rows.map((r) => [r.canonical_url!, r.story_id!]));
}

async function setStoryIds(db: Executor, assignments: Map<number, number>): Promise<void> {
  if (assignments.size === 0) return;
  const pairs = [...assignments];
  for (let start = 0; start < pairs.length; start += 1000) {
    const values = sql.join(pairs.slice(start, start + 1000).map(([item, story]) => sql`(${item}::bigint, ${story}::bigint)`));
    await sql`update items set story_id = v.story_id from (values ${values}) as v(item_id, story_id) where items.id = v.item_id`.execute(db);
  }
}

/**
 * Recomputes aggregates and topic memberships of stories from their items. The
 * representative is the earliest-published copy (ties: the first stored). Stories
 * left without items are deleted. Returns the topics affected before or after.
 */
export async function refreshStories(db: Executor, storyIds: number[], now: Date): Promise<Set<string>> {
  const topics = new Set<string>();
  if (storyIds.length === 0) return topics;
  const before = await db.selectFrom('story_topics').select('topic').distinct().where(idIn('story_id', storyIds)).execute();
  for (const row of before) topics.add(row.topic);

  await sql`
    update stories s set
      item_count = a.item_count,
      source_count = a.source_count,
      representative_item_id = a.representative_item_id,
      published_at = a.published_at,
      updated_at = ${now}
    from (
      select story_id,
             count(*)::int as item_count,
             count(distinct source_id)::int as source_count,
             (array_agg(id order by published_at, id))[1] as representative_item_id,
             min(published_at) as published_at
      from items where story_id = any(${storyIds}::bigint[]) group by story_id
    ) a
    where s.id = a.story_id`.execute(db);
  await sql`delete from stories s where s.id = any(${storyIds}::bigint[]) and not exists (select 1 from items i where i.story_id = s.id)`.execute(db);

  await db.deleteFrom('story_topics').where(idIn('story_id', storyIds)).execute();
  const after = await sql<{ topic: string }>`
    insert into story_topics (topic, story_id, published_at)
    select distinct t.topic, s.id, s.published_at
    from stories s join items i on i.story_id = s.id cross join lateral unnest(i.topics) as t(topic)
    where s.id = any(${storyIds}::bigint[])
    returning topic`.execute(db);
  for (const row of after.rows) topics.add(row.topic);
  return topics;
}

/** One story as a topic feed shows it: its representative item, source, and other copies. */
export interface FeedEntry {
  storyId: number;
  guid: string;
  publishedAt: Date;
  updatedAt: Date;
  url: string | null;
  title: string;
  summary: string;
  contentHtml: string | null;
  author: string | null;
  categories: string[];
  enclosure: { url: string; type: string | null; length: number | null } | null;
  source: SourceRef;
  /** The other outlets that carried the story, oldest first. */
  alsoReportedBy: Array<{ source: SourceRef; url: string | null; title: string }>;
}

export interface SourceRef {
  id: number;
  title: string;
  /** The feed URL. */
  url: string;
  siteUrl: string | null;
}

function sourceRef(row: { source_id: number; source_title: string | null; source_url: string; source_site_url: string | null }): SourceRef {
  return { id: row.source_id, title: row.source_title ?? new URL(row.source_url).hostname, url: row.source_url, siteUrl: row.source_site_url };
}

/** The newest `limit` stories of a topic, newest first (ties: newer story first). */
export async function topicFeedEntries(db: Executor, topic: string, limit: number): Promise<FeedEntry[]> {
  const rows = await db
    .selectFrom('story_topics as st')
    .innerJoin('stories as s', 's.id', 'st.story_id')
    .innerJoin('items as i', 'i.id', 's.representative_item_id')
    .innerJoin('sources as src', 'src.id', 'i.source_id')
    .select([
      's.id as story_id',
      's.guid',
      's.published_at',
      's.updated_at',
      'i.url',
      'i.title',
      'i.summary',
      'i.content_html',
      'i.author',
      'i.categories',
      'i.enclosure_url',
      'i.enclosure_type',
      'i.enclosure_length',
      'src.id as source_id',
      'src.title as source_title',
      'src.url as source_url',
      'src.site_url as source_site_url',
    ])
    .where('st.topic', '=', topic)
    .orderBy('st.published_at', 'desc')
    .orderBy('st.story_id', 'desc')
    .limit(limit)
    .execute();
  const copies = await otherCopies(db, rows.map((r) => ({ storyId: r.story_id, sourceId: r.source_id })));
  return rows.map((r) => ({
    storyId: r.story_id,
    guid: r.guid,
    publishedAt: r.published_at,
    updatedAt: r.updated_at,
    url: r.url,
    title: r.title,
    summary: r.summary,
    contentHtml: r.content_html,
    author: r.author,
    categories: r.categories,
    enclosure: r.enclosure_url ? { url: r.enclosure_url, type: r.enclosure_type, length: r.enclosure_length } : null,
    source: sourceRef(r),
    alsoReportedBy: copies.get(r.story_id) ?? [],
  }));
}

/** The other outlets of each story: one copy per source (its earliest), excluding the representative's source. */
async function otherCopies(
  db: Executor,
  stories: Array<{ storyId: number; sourceId: number }>,
): Promise<Map<number, FeedEntry['alsoReportedBy']>> {
  const result = new Map<number, FeedEntry['alsoReportedBy']>(stories.map((s) => [s.storyId, []]));
  if (stories.length === 0) return result;
  const representativeSource = new Map(stories.map((s) => [s.storyId, s.sourceId]));
  const rows = await db
    .selectFrom('items as i')
    .innerJoin('sources as src', 'src.id', 'i.source_id')
    .select(['i.story_id', 'i.url', 'i.title', 'i.published_at', 'src.id as source_id', 'src.title as source_title', 'src.url as source_url', 'src.site_url as source_site_url'])
    .distinctOn(['i.story_id', 'i.source_id'])
    .where(idIn('i.story_id', [...representativeSource.keys()]))
    .orderBy('i.story_id')
    .orderBy('i.source_id')
    .orderBy('i.published_at')
    .orderBy('i.id')
    .execute();
  rows.sort((a, b) => a.published_at.getTime() - b.published_at.getTime() || a.source_id - b.source_id);
  for (const row of rows) {
    if (representativeSource.get(row.story_id!) === row.source_id) continue;
    result.get(row.story_id!)!.push({ source: sourceRef(row), url: row.url, title: row.title });
  }
  return result;
}
