/**
 * Stories as the admin sees them (API, page and CLI alike): a topic's stories a page at a time,
 * and one story with every item, hidden ones too, each with the reason it joined the story
 * (items.story_reason, written by the grouper: src/store/story-assignment.ts) in words.
 */
import type { StoryReason } from '../db/schema.ts';
import { recentCurations, type LoggedCuration } from '../store/curation-log.ts';
import {
  findStory,
  itemsByIds,
  splitsAround,
  storyItems,
  storyTopicSlugs,
  topicStories,
  topicStoryCursor,
  type StoryCursor,
  type StoryItemRow,
  type StoryRow,
} from '../store/story-reads.ts';
import type { AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { checkPageLimit, checkRecordId, CURATION_LIMITS } from './validate.ts';
import { sourceName } from './wording.ts';

export interface StorySummary {
  id: number;
  guid: string;
  /** The representative's title and link (what readers see). */
  title: string | null;
  url: string | null;
  publishedAt: Date;
  firstSeenAt: Date;
  updatedAt: Date;
  /** Visible items, and the sources they come from. */
  itemCount: number;
  sourceCount: number;
}

/** An item a reason names. */
export interface ItemRef {
  id: number;
  title: string;
  sourceTitle: string;
  /** The story it is in now. */
  storyId: number;
}

/** Why an item is in its story, in words and figures. */
export interface JoinReason {
  kind: 'canonical-url' | 'near-duplicate-text' | 'title-similarity' | 'merged';
  /** One sentence. */
  summary: string;
  /** The earlier copy it matched (null: merged by an admin, or that item is gone). */
  matchedItem: ItemRef | null;
  /** Text matches: bits of 64 the body and lede fingerprints differ in, and title similarity (0–1). */
  figures?: { hammingDistance: number; leadHammingDistance: number; titleSimilarity: number };
  /** The matcher's own account (src/dedupe/story-match.ts). */
  detail?: string;
  /** Merges: the story it came from. */
  fromStoryId?: number;
}

export interface StoryItemView {
  id: number;
  sourceId: number;
  sourceTitle: string;
  url: string | null;
  title: string;
  publishedAt: Date;
  hidden: boolean;
  hiddenAt: Date | null;
  hiddenBy: string | null;
  /** The item readers see for the story. */
  representative: boolean;
  /** Null for the item that founded the story. */
  reason: JoinReason | null;
}

export interface StorySplitView {
  itemId: number | null;
  itemTitle: string | null;
  /** The story the item is in now. */
  inStoryId: number | null;
  /** The story it is kept out of. */
  keptOutOf: number;
  at: Date;
}

export interface StoryDetail extends StorySummary {
  topics: string[];
  representativeItemId: number | null;
  items: StoryItemView[];
  /** Items kept out of this story, and this story's items kept out of others (admin splits). */
  splits: StorySplitView[];
}

export interface TopicStories {
  topic: string;
  stories: StorySummary[];
  /** `before` for the next page; null on the last. */
  next: number | null;
}

function summary(row: StoryRow): StorySummary {
  return {
    id: row.id,
    guid: row.guid,
    title: row.title,
    url: row.url,
    publishedAt: row.published_at,
    firstSeenAt: row.first_seen_at,
    updatedAt: row.updated_at,
    itemCount: row.item_count,
    sourceCount: row.source_count,
  };
}

export async function listTopicStories(ctx: AdminContext, slug: string, query: { limit?: number; before?: number }): Promise<TopicStories> {
  if (!ctx.topics.current().bySlug.has(slug)) throw new AdminError('not_found', 'unknown_topic', `no topic "${slug.slice(0, 100)}"`);
  const limit = checkPageLimit(query.limit, CURATION_LIMITS.storyPage);
  let cursor: StoryCursor | undefined;
  if (query.before !== undefined) {
    const id = checkRecordId(query.before, 'before (a story id)');
    const story = await findStory(ctx.db, id);
    // A story that left the topic since (all its items hidden) still marks its place by its date.
    cursor = (await topicStoryCursor(ctx.db, slug, id)) ?? (story && { publishedAt: story.published_at, storyId: story.id });
    if (!cursor) throw new AdminError('invalid', 'invalid_before', `before names story #${id}, which does not exist`);
  }
  const rows = await topicStories(ctx.db, slug, limit, cursor);
  return { topic: slug, stories: rows.map(summary), next: rows.length === limit ? rows.at(-1)!.id : null };
}

export async function getStory(ctx: Pick<AdminContext, 'db'>, id: number): Promise<StoryDetail> {
  const story = await findStory(ctx.db, checkRecordId(id, 'a story id'));
  if (story === undefined) throw new AdminError('not_found', 'unknown_story', `no story #${id}`);
  const [items, topics, splits] = await Promise.all([storyItems(ctx.db, id), storyTopicSlugs(ctx.db, id), splitsAround(ctx.db, id)]);
  const matchedIds = items.flatMap((i) => (i.story_reason && 'matchedItemId' in i.story_reason ? [i.story_reason.matchedItemId] : []));
  const matched = new Map((await itemsByIds(ctx.db, [...new Set(matchedIds)])).map((row) => [row.id, itemRef(row)]));
  return {
    ...summary(story),
    topics,
    representativeItemId: story.representative_item_id,
    items: items.map((row) => ({
      id: row.id,
      sourceId: row.source_id,
      sourceTitle: sourceName({ title: row.source_title, url: row.source_url }),
      url: row.url,
      title: row.title,
      publishedAt: row.published_at,
      hidden: row.hidden_at !== null,
      hiddenAt: row.hidden_at,
      hiddenBy: row.hidden_by,
      representative: row.id === story.representative_item_id,
      reason: joinReason(row.story_reason, matched),
    })),
    splits: splits.map((s) => ({ itemId: s.item_id, itemTitle: s.item_title, inStoryId: s.item_story_id, keptOutOf: s.story_id, at: s.created_at })),
  };
}

function itemRef(row: StoryItemRow): ItemRef {
  return { id: row.id, title: row.title, sourceTitle: sourceName({ title: row.source_title, url: row.source_url }), storyId: row.story_id };
}

const percent = (x: number) => `${Math.round(x * 100)}%`;

function named(id: number, ref: ItemRef | null): string {
  return ref === null ? `item #${id} (no longer stored)` : `item #${id} ("${ref.title.slice(0, 80)}" from ${ref.sourceTitle})`;
}

/** The stored reason in words; null for a founder (or an item grouped before reasons were kept). */
export function joinReason(reason: StoryReason | null, matched: ReadonlyMap<number, ItemRef>): JoinReason | null {
  if (reason === null || reason.via === 'founded') return null;
  if (reason.via === 'merged') {
    return { kind: 'merged', summary: `merged in by an admin from story #${reason.fromStoryId}`, matchedItem: null, fromStoryId: reason.fromStoryId };
  }
  const ref = matched.get(reason.matchedItemId) ?? null;
  if (reason.via === 'canonical-url') {
    return { kind: 'canonical-url', summary: `same article URL as ${named(reason.matchedItemId, ref)}`, matchedItem: ref };
  }
  const figures = { hammingDistance: reason.hammingDistance, leadHammingDistance: reason.leadHammingDistance, titleSimilarity: reason.titleSimilarity };
  // A body too short for its fingerprint leaves the titles to decide (story-match.ts compareSignatures).
  if (reason.reason.startsWith('a body is short')) {
    return {
      kind: 'title-similarity',
      summary: `title ${percent(reason.titleSimilarity)} alike to that of ${named(reason.matchedItemId, ref)}; a body is too short to compare`,
      matchedItem: ref,
      figures,
      detail: reason.reason,
    };
  }
  return {
    kind: 'near-duplicate-text',
    summary: `near-duplicate text of ${named(reason.matchedItemId, ref)}: bodies differ in ${reason.hammingDistance} of 64 bits, ledes in ${reason.leadHammingDistance}, titles ${percent(reason.titleSimilarity)} alike`,
    matchedItem: ref,
    figures,
    detail: reason.reason,
  };
}

export async function curationLog(ctx: Pick<AdminContext, 'db'>, limit?: number): Promise<{ entries: LoggedCuration[] }> {
  return { entries: await recentCurations(ctx.db, checkPageLimit(limit, CURATION_LIMITS.logEntries)) };
}
