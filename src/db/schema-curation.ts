/**
 * The curation tables (#18): stored topics, and what admins did to stories. Part of the
 * database's types in schema.ts, which re-exports them; import them from there.
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** A topic (src/store/topics.ts): from feeds.config.json (synced at start) or made by an admin. */
export interface TopicsTable {
  slug: string;
  title: string;
  description: string;
  include: string[];
  exclude: string[];
  /** The digest settings as the config file has them (time, timezone, maxStories, period, weekday); written as JSON text. */
  digest: ColumnType<TopicDigestSettings, string, string>;
  origin: 'config' | 'admin';
  /** Listing order: the file's order for config topics, creation order for admins'. */
  position: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TopicDigestSettings {
  time: string;
  timezone: string;
  maxStories: number;
  period: 'daily' | 'weekly';
  weekday: 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
}

/** An item (by source and item_key) an admin split out of a story, kept out of it (src/store/story-curation.ts). */
export interface StorySplitsTable {
  source_id: number;
  item_key: string;
  story_id: number;
  created_at: Timestamp;
}

export type CurationAction = 'split' | 'merge' | 'hide' | 'unhide';

/** What admins did to stories and items (src/store/curation-log.ts). */
export interface CurationLogTable {
  id: Generated<number>;
  at: Timestamp;
  /** "session <key prefix>", "api token" or "cli". */
  actor: string;
  action: CurationAction;
  story_ids: number[];
  item_ids: number[];
  detail: ColumnType<Record<string, unknown>, string, string>;
}
