/**
 * Search within a topic (`?q=`): its stories whose entry (the representative item, what a
 * reader sees) holds every word and phrase of the query. items.search_tokens and its GIN
 * index (src/text/search-tokens.ts) narrow the candidates in SQL; each is then checked with
 * the exact phrase rules (src/text/search-query.ts), since tokens say nothing of order,
 * boundaries inside Hangul, Han and Kana, or adjacency.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { FeedEntry } from '../model.ts';
import { htmlToPlainText } from '../text/html-text.ts';
import { compileSearchQuery, parseSearchQuery, type SearchQuery } from '../text/search-query.ts';
import { FEED_ENTRY_COLUMNS, feedEntriesOf, type FeedEntryRow } from './stories.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/**
 * Candidates read at most for one search. Tokens almost always decide (a word's token is the
 * word), so this bounds only pathological queries: a phrase whose words are everywhere but
 * never in its order. Beyond it the answer holds the matches found so far.
 */
export const MAX_SEARCH_CANDIDATES = 2000;

/** Where a page of results starts: below this story in the feed's order. */
export interface SearchCursor {
  publishedAt: Date;
  storyId: number;
}

export interface SearchOptions {
  limit: number;
  before?: SearchCursor | undefined;
}

async function candidatePage(db: Executor, topic: string, tokens: string[], before: SearchCursor | undefined, size: number): Promise<FeedEntryRow[]> {
  let query = db
    .selectFrom('story_topics as st')
    .innerJoin('stories as s', 's.id', 'st.story_id')
    .innerJoin('items as i', 'i.id', 's.representative_item_id')
    .innerJoin('sources as src', 'src.id', 'i.source_id')
    .select(FEED_ENTRY_COLUMNS)
    .where('st.topic', '=', topic)
    .where(sql<boolean>`i.search_tokens @> ${tokens}::text[]`);
  if (before !== undefined) query = query.where(sql<boolean>`(st.published_at, st.story_id) < (${before.publishedAt}::timestamptz, ${before.storyId}::bigint)`);
  return query.orderBy('st.published_at', 'desc').orderBy('st.story_id', 'desc').limit(size).execute();
}

/**
 * The topic's stories matching a parsed query, newest first like the topic feed, at most
 * `limit`, starting below `before` when given.
 */
export async function searchTopicEntries(db: Executor, topic: string, query: SearchQuery, options: SearchOptions): Promise<FeedEntry[]> {
  const matches = compileSearchQuery(query);
  const found: FeedEntryRow[] = [];
  // A little over the limit: the few candidates the exact check drops rarely need a second page.
  const size = Math.min(options.limit + 20, MAX_SEARCH_CANDIDATES);
  let before = options.before;
  for (let read = 0; read < MAX_SEARCH_CANDIDATES && found.length < options.limit; ) {
    const page = await candidatePage(db, topic, query.tokens, before, Math.min(size, MAX_SEARCH_CANDIDATES - read));
    read += page.length;
    for (const row of page) {
      const contentText = row.content_html ? htmlToPlainText(row.content_html) : '';
      if (found.length < options.limit && matches({ ...row, contentText })) found.push(row);
    }
    if (page.length < size) break;
    const last = page.at(-1)!;
    before = { publishedAt: last.published_at, storyId: last.story_id };
  }
  return feedEntriesOf(db, found);
}

/**
 * The same for a raw `q` (for the topic's HTML page): throws SearchQueryError
 * (src/text/search-query.ts) when the query is refused.
 */
export async function searchTopicStories(db: Executor, topic: string, q: string, options: SearchOptions): Promise<FeedEntry[]> {
  return searchTopicEntries(db, topic, parseSearchQuery(q), options);
}
