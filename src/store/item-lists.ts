/** Read-only item listings for the admin: a source's latest items, and the items a topic rule preview scans. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export interface ItemSummary {
  id: number;
  title: string;
  url: string | null;
  published_at: Date;
  first_seen_at: Date;
  topics: string[];
  truncated: string[];
  /** Its story (the admin's story page), and whether an admin hid it. */
  story_id: number;
  hidden_at: Date | null;
}

/** A source's newest items, newest first. */
export async function recentItemsOfSource(db: Kysely<DB>, sourceId: number, limit: number): Promise<ItemSummary[]> {
  return db
    .selectFrom('items')
    .select(['id', 'title', 'url', 'published_at', 'first_seen_at', 'topics', 'truncated', 'story_id', 'hidden_at'])
    .where('source_id', '=', sourceId)
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export interface PreviewableItem {
  id: number;
  source_id: number;
  source_title: string | null;
  source_url: string;
  source_topics: string[];
  title: string;
  url: string | null;
  summary: string;
  categories: string[];
  author: string | null;
  content_html: string | null;
  published_at: Date;
  topics: string[];
}

/** Items published since `since`, newest first, with what classification needs. */
export async function itemsPublishedSince(db: Kysely<DB>, since: Date, limit: number): Promise<PreviewableItem[]> {
  return db
    .selectFrom('items as i')
    .innerJoin('sources as s', 's.id', 'i.source_id')
    .select((eb) => [
      'i.id',
      'i.source_id',
      's.title as source_title',
      's.url as source_url',
      's.topics as source_topics',
      'i.title',
      'i.url',
      'i.summary',
      'i.categories',
      'i.author',
      // The article extracted from its page, for a source with fullContent (src/ingest/full-content.ts).
      eb.fn.coalesce('i.full_content_html', 'i.content_html').as('content_html'),
      'i.published_at',
      'i.topics',
    ])
    .where('i.published_at', '>=', since)
    .orderBy('i.published_at', 'desc')
    .orderBy('i.id', 'desc')
    .limit(limit)
    .execute();
}
