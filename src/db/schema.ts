/** Table types for kysely, kept in step with migrations/. */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { CurationLogTable, StorySplitsTable, TopicsTable } from './schema-curation.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface SourcesTable {
  id: Generated<number>;
  url: string;
  title: string | null;
  site_url: string | null;
  origin: 'config' | 'admin';
  topics: ColumnType<string[], string[] | undefined, string[]>;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  disabled_reason: string | null;
  etag: string | null;
  last_modified: string | null;
  poll_interval_seconds: number | null;
  /**
   * What the last 200 established (poll-schedule.ts, Established), reused by the 304s after
   * it: the interval the publishing rate called for (null: undated items), and the longest
   * publisher hint (RSS ttl, max-age, Expires). Null before the first 200.
   */
  rate_interval_seconds: number | null;
  hint_interval_seconds: number | null;
  next_poll_at: DefaultedTimestamp;
  lease_owner: string | null;
  lease_until: Timestamp | null;
  last_polled_at: Timestamp | null;
  last_success_at: Timestamp | null;
  last_status: number | null;
  error_code: string | null;
  error_message: string | null;
  consecutive_failures: ColumnType<number, number | undefined, number>;
  /** Breaks ties when choosing a story's representative: higher wins. */
  priority: ColumnType<number, number | undefined, number>;
  /** False: this source's items group by canonical URL only, never by text. */
  near_duplicates: ColumnType<boolean, boolean | undefined, boolean>;
  /** IANA zone of the source's dates written without one; null: UTC. */
  timezone: ColumnType<string | null, string | null | undefined, string | null>;
  /**
   * Set (with enabled false) when this source's feed permanently redirected to another
   * source's URL and was merged into it (source-merge.ts): its URL stands for that source.
   */
  merged_into_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** URLs the source had before its feed permanently moved (they still name it). */
  previous_urls: ColumnType<string[], string[] | undefined, string[]>;
  /** Set while the source is being deleted in batches (store/source-deletion.ts). */
  deleting_since: Timestamp | null;
  /**
   * HTTP Basic auth of a config source: the user name, the name of the environment variable
   * that holds the password (never the password), and the origin they may be sent to. All
   * three or none (src/ingest/source-credentials.ts).
   */
  auth_username: ColumnType<string | null, string | null | undefined, string | null>;
  auth_password_env: ColumnType<string | null, string | null | undefined, string | null>;
  auth_origin: ColumnType<string | null, string | null | undefined, string | null>;
  /**
   * The date of the newest item its feed listed at the last 200 (first sighting for undated
   * items), and the mean gap between items in the week up to it (poll-schedule.ts,
   * publishingRhythm): what src/admin/source-view-stale.ts judges staleness by.
   */
  newest_item_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  publishing_gap_seconds: ColumnType<number | null, number | null | undefined, number | null>;
  /** Each new or changed item's page is fetched and its article used as content (src/ingest/full-content.ts). */
  full_content: ColumnType<boolean, boolean | undefined, boolean>;
  /** The verified WebSub lease end of its subscription (websub_subscriptions): polled at polling.maxInterval until then. */
  push_subscribed_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface ItemsTable {
  id: Generated<number>;
  source_id: number;
  item_key: string;
  url: string | null;
  canonical_url: string | null;
  title: string;
  summary: string;
  content_html: string | null;
  author: string | null;
  categories: ColumnType<string[], string[] | undefined, string[]>;
  enclosure_url: string | null;
  enclosure_type: string | null;
  enclosure_length: number | null;
  published_at: Timestamp;
  feed_published_at: Timestamp | null;
  feed_updated_at: Timestamp | null;
  first_seen_at: DefaultedTimestamp;
  changed_at: DefaultedTimestamp;
  content_hash: string;
  /**
   * Set at insert to a story of the item's own (from the stories id sequence); that story
   * exists once the item is grouped (ungrouped_items), or the item joined another story.
   */
  story_id: ColumnType<number, number | undefined, number>;
  topics: ColumnType<string[], string[] | undefined, string[]>;
  /** Near-duplicate signature (src/dedupe/text-signature.ts). 64-bit values: read them with ::text and BigInt(). */
  fingerprint: ColumnType<string | null, bigint | null | undefined, bigint | null>;
  lead_fingerprint: ColumnType<string | null, bigint | null | undefined, bigint | null>;
  bucket_keys: ColumnType<string[], bigint[] | undefined, bigint[]>;
  title_key: ColumnType<string[], string[] | undefined, string[]>;
  numbers: ColumnType<string[], string[] | undefined, string[]>;
  body_length: ColumnType<number, number | undefined, number>;
  signature_version: ColumnType<number, number | undefined, number>;
  /** On its source's own site (src/dedupe/own-site.ts): the original among copies of its URL. */
  own_site: ColumnType<boolean, boolean | undefined, boolean>;
  /** Fields cut to their cap at ingest (src/ingest/field-caps.ts). */
  truncated: ColumnType<string[], string[] | undefined, string[]>;
  /** The article extracted from the item's page (a full_content source), sanitized; null: the feed's content stands. */
  full_content_html: ColumnType<string | null, string | null | undefined, string | null>;
  /** The content_hash the page was fetched for; null: not yet (the page is fetched once per item version). */
  full_content_for: ColumnType<string | null, string | null | undefined, string | null>;
  /** Why the last extraction failed ("code: message"); null when it did not. */
  full_content_error: ColumnType<string | null, string | null | undefined, string | null>;
  /** The page's validators, for a conditional GET when a changed item's page is fetched again. */
  full_content_etag: ColumnType<string | null, string | null | undefined, string | null>;
  full_content_last_modified: ColumnType<string | null, string | null | undefined, string | null>;
  /** What search looks up (src/text/search-tokens.ts), GIN-indexed. */
  search_tokens: ColumnType<string[], string[] | undefined, string[]>;
  /** Why the item is in its story (founder, canonical URL, or text match with measures). */
  story_reason: ColumnType<StoryReason | null, string | null | undefined, string | null>;
  /** Hidden by an admin (src/admin/story-curation.ts): in its story, but in nothing readers get. */
  hidden_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Who hid it (curation_log.actor). */
  hidden_by: ColumnType<string | null, string | null | undefined, string | null>;
}

export type StoryReason =
  | { via: 'founded' }
  | { via: 'canonical-url'; matchedItemId: number }
  | { via: 'text'; matchedItemId: number; hammingDistance: number; leadHammingDistance: number; titleSimilarity: number; reason: string }
  /** Moved in by an admin's merge: it founded story `fromStoryId`, merged into this one. */
  | { via: 'merged'; fromStoryId: number };

export interface StoriesTable {
  id: Generated<number>;
  guid: Generated<string>;
  representative_item_id: number | null;
  published_at: Timestamp;
  first_seen_at: Timestamp;
  updated_at: Timestamp;
  item_count: ColumnType<number, number | undefined, number>;
  source_count: ColumnType<number, number | undefined, number>;
}

export interface StoryTopicsTable {
  topic: string;
  story_id: number;
  published_at: Timestamp;
}

/** How many pages each topic's archive has filled (src/store/topic-archive.ts). */
export interface TopicArchivesTable {
  topic: string;
  pages: number;
}

/** The archive page of each archived story of a topic, set once (src/store/topic-archive.ts). */
export interface TopicArchiveEntriesTable {
  story_id: number;
  topic: string;
  page: number;
}

/** Stories in a topic and not on an archive page yet (src/store/topic-archive.ts). */
export interface TopicArchivePendingTable {
  topic: string;
  story_id: number;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: DefaultedTimestamp;
}

export type FeedKind = 'feed' | 'digest';
export type FeedFormat = 'rss' | 'atom' | 'json';

export interface RenderedFeedsTable {
  topic: string;
  kind: FeedKind;
  format: FeedFormat;
  body: string;
  etag: string;
  updated_at: Timestamp;
  /** Shared by the three formats of a (topic, kind), written together (rendered-feeds.ts). */
  generation: number;
}

export interface DigestsTable {
  id: Generated<number>;
  topic: string;
  period_start: Timestamp;
  period_end: Timestamp;
  /** YYYY-MM-DD (pg returns date columns as strings here; see database.ts). */
  period_date: string;
  title: string;
  html: string;
  text: string;
  story_ids: number[];
  created_at: Timestamp;
}

export interface PollEventsTable {
  id: Generated<number>;
  source_id: number;
  polled_at: Timestamp;
  outcome: 'stored' | 'not_modified' | 'failed';
  status: number | null;
  error_code: string | null;
  error_message: string | null;
  new_items: ColumnType<number, number | undefined, number>;
  updated_items: ColumnType<number, number | undefined, number>;
  duration_ms: ColumnType<number, number | undefined, number>;
}

/** Per host name: when the next request may start (polling.hostSpacing). */
export interface HostGatesTable {
  host: string;
  next_start_at: DefaultedTimestamp;
}

/** One of polling.perHost request slots of a host; free when owner is null or the lease expired. */
export interface HostSlotsTable {
  host: string;
  slot: number;
  owner: string | null;
  /** Names one acquisition, so a late release never frees a slot someone else holds now. */
  lease_id: string | null;
  lease_until: Timestamp | null;
}

/** Items stored and not yet grouped into stories: the grouper's queue (store/story-assignment.ts). */
export interface UngroupedItemsTable {
  item_id: number;
  /**
   * The item's publication time when queued, copied so the queue is read oldest first
   * from its own index. A later change of the item's date only reorders the batches;
   * grouping reads the item's current date.
   */
  published_at: Timestamp;
}

/** Admin page sessions (src/store/admin-sessions.ts): the digest of each session id. */
export interface AdminSessionsTable {
  id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** What an admin page form post left to show (src/admin/page-results.ts); `body` is the page's own JSON. */
export interface AdminPageResultsTable {
  id: string;
  session_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  body: ColumnType<unknown, string, string>;
}

/** A verified subscription to the built-in WebSub hub (src/store/websub-hub.ts). */
export interface WebSubHubSubscriptionsTable {
  id: Generated<number>;
  topic_url: string;
  callback_url: string;
  /** hub.secret: content distributions to this callback are signed with it (WebSub §7.1). */
  secret: string | null;
  lease_seconds: number;
  expires_at: Timestamp;
  created_at: DefaultedTimestamp;
}

export type WebSubOutboxKind = 'publish' | 'verify' | 'deliver';

/** A WebSub request owed to a hub or a subscriber (src/store/websub-outbox.ts). */
export interface WebSubOutboxTable {
  id: Generated<number>;
  kind: WebSubOutboxKind;
  /** The hub (publish) or the subscriber's callback (verify, deliver). */
  target_url: string;
  topic_url: string;
  /** verify only: the request being verified. */
  mode: 'subscribe' | 'unsubscribe' | null;
  lease_seconds: number | null;
  secret: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  lease_owner: string | null;
  lease_until: Timestamp | null;
  last_error: string | null;
  created_at: DefaultedTimestamp;
}

/** A source's WebSub subscription (src/store/websub-subscriptions.ts; the migration says why each column). */
export interface WebSubSubscriptionsTable {
  id: Generated<number>;
  source_id: number | null;
  hub_url: string;
  topic_url: string;
  callback_id: string;
  secret: string;
  state: 'subscribing' | 'subscribed' | 'unsubscribing';
  lease_seconds: number | null;
  subscribed_until: Timestamp | null;
  next_attempt_at: Timestamp;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  last_push_at: Timestamp | null;
  pushes: ColumnType<number, number | undefined, number>;
  rejected_pushes: ColumnType<number, number | undefined, number>;
  claim_owner: string | null;
  claim_until: Timestamp | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

// -- Story curation (migrations/2026-12-05T01-00-story-curation.ts) --------------------------

export type { CurationAction, CurationLogTable, StorySplitsTable, TopicDigestSettings, TopicsTable } from './schema-curation.ts';

export interface DB {
  sources: SourcesTable;
  items: ItemsTable;
  stories: StoriesTable;
  story_topics: StoryTopicsTable;
  settings: SettingsTable;
  rendered_feeds: RenderedFeedsTable;
  digests: DigestsTable;
  poll_events: PollEventsTable;
  host_gates: HostGatesTable;
  host_slots: HostSlotsTable;
  ungrouped_items: UngroupedItemsTable;
  admin_sessions: AdminSessionsTable;
  admin_page_results: AdminPageResultsTable;
  topic_archives: TopicArchivesTable;
  topic_archive_entries: TopicArchiveEntriesTable;
  topic_archive_pending: TopicArchivePendingTable;
  websub_hub_subscriptions: WebSubHubSubscriptionsTable;
  websub_outbox: WebSubOutboxTable;
  websub_subscriptions: WebSubSubscriptionsTable;
  topics: TopicsTable;
  story_splits: StorySplitsTable;
  curation_log: CurationLogTable;
}

export type WebSubSubscription = Selectable<WebSubSubscriptionsTable>;

export type Source = Selectable<SourcesTable>;
export type NewSource = Insertable<SourcesTable>;
export type SourceUpdate = Updateable<SourcesTable>;
export type Item = Selectable<ItemsTable>;
export type NewItem = Insertable<ItemsTable>;
export type Story = Selectable<StoriesTable>;
export type RenderedFeed = Selectable<RenderedFeedsTable>;
export type Digest = Selectable<DigestsTable>;
export type PollEvent = Selectable<PollEventsTable>;
