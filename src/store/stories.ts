/**
 * All SQL about stories once items are grouped (story-assignment.ts): keeping each story's
 * aggregates, representative and topics current, and reading topic feeds one entry per story.
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { idIn } from './id-list.ts';
import type { FeedEntry, SourceRef } from '../model.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/*
 * Statements over a list of story ids are driven by the list: `unnest(ids)` joined LATERAL to
 * a subquery fenced with OFFSET 0, so each id is an index probe whatever the statistics say.
 * A plain `story_id = any(ids)` is estimated from them, and with none (a new database before
 * autovacuum's first pass, the embedded one until table-statistics.ts analyzes it) 200 ids
 * read as the whole table: it was scanned, at ~60 ms a statement for 60,000 items, growing.
 */

/**
 * Recomputes aggregates and topic memberships of stories from their items. The
 * representative is the original: a copy on its source's own site before copies that only
 * link there (items.own_site: an outlet listing another's article URL with an earlier date
 * does not take the story over), then the earliest published, then the higher source
 * priority, then the first stored. The story is dated as its representative: no copy makes
 * it earlier. Stories left without items are deleted. Returns the topics affected before or
 * after.
 *
 * Items an admin hid (items.hidden_at) stay in their story but count for nothing readers get:
 * the representative is a visible item whenever there is one, the counts are of visible items
 * (source_count ranks digests), and the topics are those of visible items only, so a story
 * whose items are all hidden is in no topic document, digest, search or archive page.
 */
export async function refreshStories(db: Executor, storyIds: number[], now: Date): Promise<Set<string>> {
  const topics = new Set<string>();
  if (storyIds.length === 0) return topics;
  // Memberships are deleted and inserted again: outside a transaction, a document rendered
  // between the two (a ?limit= variant, a search) would lack these stories.
  if (!db.isTransaction) return db.transaction().execute((trx) => refreshStories(trx, storyIds, now));
  const ids = [...new Set(storyIds)];
  const before = await sql<{ topic: string }>`
    select distinct st.topic from unnest(${ids}::bigint[]) as x(id)
    cross join lateral (select topic from story_topics where story_id = x.id offset 0) as st`.execute(db);
  for (const row of before.rows) topics.add(row.topic);

  await sql`
    update stories s set
      item_count = a.item_count,
      source_count = a.source_count,
      representative_item_id = a.representative_item_id,
      published_at = a.published_at,
      updated_at = ${now}
    from unnest(${ids}::bigint[]) as x(id)
    cross join lateral (
      -- The representative is the original publisher among visible items (see above); the story has its date.
      select count(*)::int as stored_count,
             count(*) filter (where i.hidden_at is null)::int as item_count,
             count(distinct i.source_id) filter (where i.hidden_at is null)::int as source_count,
             (array_agg(i.id order by i.hidden_at is null desc, i.own_site desc, i.published_at, (select src.priority from sources src where src.id = i.source_id) desc, i.id))[1] as representative_item_id,
             (array_agg(i.published_at order by i.hidden_at is null desc, i.own_site desc, i.published_at, (select src.priority from sources src where src.id = i.source_id) desc, i.id))[1] as published_at
      from items i where i.story_id = x.id
    ) as a
    where s.id = x.id and a.stored_count > 0`.execute(db);
  await sql`
    delete from stories s where s.id = any(${ids}::bigint[])
    and not exists (select 1 from items i where i.story_id = s.id)`.execute(db);

  await sql`
    delete from story_topics where ctid = any(array(
      select st.ctid from unnest(${ids}::bigint[]) as x(id)
      cross join lateral (select ctid from story_topics where story_id = x.id offset 0) as st))`.execute(db);
  const after = await addStoryTopics(sql`
    insert into story_topics (topic, story_id, published_at)
    select distinct t.topic, s.id, s.published_at
    from unnest(${ids}::bigint[]) as x(id)
    cross join lateral (select s.id, s.published_at from stories s where s.id = x.id offset 0) as s
    cross join lateral (select i.topics from items i where i.story_id = x.id and i.hidden_at is null offset 0) as i
    cross join lateral unnest(i.topics) as t(topic)`).execute(db);
  for (const row of after.rows) topics.add(row.topic);
  return topics;
}

/**
 * Runs an insert into story_topics and queues each row whose story is not on an archive page
 * of that topic yet (src/store/topic-archive.ts): the archiver reads that short queue instead
 * of comparing every story of the topic with its archive. Returns the topics of the rows.
 */
export function addStoryTopics(insert: RawBuilder<unknown>): RawBuilder<{ topic: string }> {
  return sql<{ topic: string }>`
    with added as (${insert} returning topic, story_id),
    queued as (
      insert into topic_archive_pending (topic, story_id)
      select a.topic, a.story_id from added a
      where not exists (select 1 from topic_archive_entries e where e.story_id = a.story_id and e.topic = a.topic)
      on conflict do nothing)
    select topic from added`;
}

function sourceRef(row: { source_id: number; source_title: string | null; source_url: string; source_site_url: string | null }): SourceRef {
  return { id: row.source_id, title: row.source_title ?? new URL(row.source_url).hostname, url: row.source_url, siteUrl: row.source_site_url };
}

/** What a topic feed entry is read from: the story, its representative item and that item's source. */
export const FEED_ENTRY_COLUMNS = [
  's.id as story_id',
  's.guid',
  's.published_at',
  's.updated_at',
  'i.url',
  'i.canonical_url',
  'i.title',
  'i.summary',
  // The article extracted from its page, for a source with fullContent (src/ingest/full-content.ts).
  sql<string | null>`coalesce(i.full_content_html, i.content_html)`.as('content_html'),
  'i.author',
  'i.categories',
  'i.enclosure_url',
  'i.enclosure_type',
  'i.enclosure_length',
  'src.id as source_id',
  'src.title as source_title',
  'src.url as source_url',
  'src.site_url as source_site_url',
] as const;

/** The newest `limit` stories of a topic, newest first (ties: newer story first). */
export async function topicFeedEntries(db: Executor, topic: string, limit: number): Promise<FeedEntry[]> {
  const rows = await db
    .selectFrom('story_topics as st')
    .innerJoin('stories as s', 's.id', 'st.story_id')
    .innerJoin('items as i', 'i.id', 's.representative_item_id')
    .innerJoin('sources as src', 'src.id', 'i.source_id')
    .select(FEED_ENTRY_COLUMNS)
    .where('st.topic', '=', topic)
    .orderBy('st.published_at', 'desc')
    .orderBy('st.story_id', 'desc')
    .limit(limit)
    .execute();
  return feedEntriesOf(db, rows);
}

/** A row of FEED_ENTRY_COLUMNS. */
export interface FeedEntryRow {
  story_id: number;
  guid: string;
  published_at: Date;
  updated_at: Date;
  url: string | null;
  canonical_url: string | null;
  title: string;
  summary: string;
  content_html: string | null;
  author: string | null;
  categories: string[];
  enclosure_url: string | null;
  enclosure_type: string | null;
  enclosure_length: number | null;
  source_id: number;
  source_title: string | null;
  source_url: string;
  source_site_url: string | null;
}

/** Feed entries from rows of FEED_ENTRY_COLUMNS, in their order, with the other outlets of each story. */
export async function feedEntriesOf(db: Executor, rows: readonly FeedEntryRow[]): Promise<FeedEntry[]> {
  const copies = await otherCopies(
    db,
    rows.map((r) => ({ storyId: r.story_id, sourceId: r.source_id, canonicalUrl: r.canonical_url ?? r.url })),
  );
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

/**
 * The other outlets of each story, oldest first. An outlet is a copy's canonical URL (its
 * link when it has none; its source when it has neither): two feeds of one outlet (a news
 * and a topic feed, http:// and https:// of one feed) carrying one article are one outlet,
 * so a story never lists its own article, nor one article twice. Sources other than the
 * representative's list one copy each, their earliest. Each copy is named after the source
 * it links to: among sources sharing an article, the one on whose site it lives (own_site)
 * names it, not an aggregator that listed it first; a source without a title is named by
 * the host of its copy, not of its feed (feeds.feedburner.com names no outlet). Hidden items
 * are no copies.
 */
async function otherCopies(
  db: Executor,
  stories: Array<{ storyId: number; sourceId: number; canonicalUrl: string | null }>,
): Promise<Map<number, FeedEntry['alsoReportedBy']>> {
  const result = new Map<number, FeedEntry['alsoReportedBy']>(stories.map((s) => [s.storyId, []]));
  if (stories.length === 0) return result;
  const representatives = new Map(stories.map((s) => [s.storyId, s]));
  const rows = await db
    .selectFrom('items as i')
    .innerJoin('sources as src', 'src.id', 'i.source_id')
    .select([
      'i.story_id',
      'i.url',
      'i.canonical_url',
      'i.title',
      'i.published_at',
      'i.own_site',
      'src.id as source_id',
      'src.title as source_title',
      'src.url as source_url',
      'src.site_url as source_site_url',
    ])
    .distinctOn(['i.story_id', 'i.source_id'])
    .where(idIn('i.story_id', [...representatives.keys()]))
    .where('i.hidden_at', 'is', null)
    .orderBy('i.story_id')
    .orderBy('i.source_id')
    .orderBy('i.published_at')
    .orderBy('i.id')
    .execute();
  const byDate = (a: (typeof rows)[number], b: (typeof rows)[number]) => a.published_at.getTime() - b.published_at.getTime() || a.source_id - b.source_id;
  // Own-site copies first, so they claim their article; listed oldest first afterwards.
  rows.sort((a, b) => Number(b.own_site) - Number(a.own_site) || byDate(a, b));
  const chosen = new Map<number, typeof rows>();
  const listed = new Map<number, Set<string>>();
  for (const row of rows) {
    const representative = representatives.get(row.story_id!)!;
    if (representative.sourceId === row.source_id) continue;
    const seen = listed.get(row.story_id!) ?? new Set(representative.canonicalUrl === null ? [] : [representative.canonicalUrl]);
    listed.set(row.story_id!, seen);
    const outlet = row.canonical_url ?? row.url;
    if (outlet !== null) {
      if (seen.has(outlet)) continue;
      seen.add(outlet);
    }
    const copies = chosen.get(row.story_id!) ?? [];
    chosen.set(row.story_id!, copies);
    copies.push(row);
  }
  for (const [storyId, copies] of chosen) {
    result.set(
      storyId,
      copies.sort(byDate).map((row) => ({ source: copySourceRef(row), url: row.url, title: row.title })),
    );
  }
  return result;
}

/** A copy's source, named by the host of the copy when the source has no title. */
function copySourceRef(row: Parameters<typeof sourceRef>[0] & { url: string | null }): SourceRef {
  const ref = sourceRef(row);
  const host = row.source_title === null && row.url !== null ? URL.parse(row.url)?.hostname : undefined;
  return host ? { ...ref, title: host.replace(/^www\./, '') } : ref;
}
