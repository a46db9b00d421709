/**
 * The part of ingest a poll (refresh-source.ts) and a WebSub push (push-content.ts) share,
 * so pushed content goes exactly the way polled content does: read the document in a worker
 * (decode, parse, normalize, per-item features), classify and mark the new and changed items
 * for storing, and group what was stored into stories after the commit.
 */
import type { Kysely } from 'kysely';
import type { DB, Source } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { NormalizedFeed } from '../model.ts';
import { storedArticlePages, storedItemMarks, type StorableItem, type UpsertResult } from '../store/items.ts';
import { isOnOwnSite, type StoryGrouper } from '../dedupe/index.ts';
import { searchTokens as searchTokensOf } from '../text/search-tokens.ts';
import { classify } from './classify.ts';
import type { LiveTopics } from '../topic-registry.ts';
import { fetchArticles, type FetchedArticles, type FullContentContext, type ItemArticle } from './full-content.ts';
import type { ItemFeatures, ReadFeedResult, ReadOptions } from './read-feed.ts';

export type ReadFeed = (bytes: Uint8Array, contentType: string | null, feedUrl: string, options?: ReadOptions) => Promise<ReadFeedResult>;

/** What the shared path needs of the app context (src/app-context.ts). */
export interface FeedItemsContext {
  db: Kysely<DB>;
  readFeed: ReadFeed;
  /** The topics as they are now (src/topic-registry.ts): classification reads their compiled rules. */
  topics: LiveTopics;
  stories: StoryGrouper;
  metrics?: Metrics | undefined;
  log: Logger;
}

/**
 * Reads a document of `source` fetched from (or pushed for) `feedUrl`. `withStoredMarks`:
 * the reader skips the work for items the source has stored as they are (not across a move:
 * a merge stores the items under another source).
 */
export async function readSourceFeed(
  ctx: FeedItemsContext,
  source: Pick<Source, 'id' | 'timezone' | 'full_content'>,
  document: { body: Uint8Array; contentType: string | null; feedUrl: string },
  withStoredMarks = true,
): Promise<ReadFeedResult> {
  // A fullContent source's item counts as stored only once its page was fetched for it.
  const stored = withStoredMarks ? await storedItemMarks(ctx.db, source.id, source.full_content) : undefined;
  return ctx.readFeed(document.body, document.contentType, document.feedUrl, { stored, timeZone: source.timezone });
}

const NO_ARTICLES: FetchedArticles = { articles: new Map(), deferred: 0 };

/**
 * The new and changed items' articles, for a source with fullContent (full-content.ts):
 * fetched before the transaction, since they are what is stored, grouped and classified.
 */
export async function readArticles(
  ctx: Pick<FeedItemsContext, 'db'> & FullContentContext,
  source: Pick<Source, 'id' | 'full_content'>,
  read: Pick<ReadFeedResult, 'feed' | 'features'>,
  signal?: AbortSignal,
): Promise<FetchedArticles> {
  if (!source.full_content) return NO_ARTICLES;
  return fetchArticles(ctx, read.feed.items, read.features, (keys) => storedArticlePages(ctx.db, source.id, keys), signal);
}

/**
 * The items to write for `owner`: new and changed ones, classified into topics and tested
 * for being on the publisher's own site (`sites`); unchanged ones are left out (the upsert
 * would write nothing for them).
 */
export function storableItems(
  ctx: Pick<FeedItemsContext, 'topics'>,
  owner: Pick<Source, 'topics' | 'url'> & { title?: string | null | undefined },
  read: Pick<ReadFeedResult, 'feed' | 'features'>,
  sites: ReadonlyArray<string | null>,
  articles: ReadonlyMap<number, ItemArticle> = NO_ARTICLES.articles,
): StorableItem[] {
  const items: StorableItem[] = [];
  const { compiled } = ctx.topics.current();
  // `source:` rules see the source's title, or before its first poll is recorded, the feed's.
  const source = { title: owner.title ?? read.feed.title, url: owner.url };
  read.feed.items.forEach((item, i) => {
    const { canonicalUrl, contentHash, unchanged, contentText, signature, searchTokens }: ItemFeatures = read.features[i]!;
    if (unchanged) return;
    // An article read from the item's page stands for its content: rules, grouping and search use it.
    const article = articles.get(i);
    const text = article?.text ?? null;
    const topics = classify({ ...item, contentText: text ?? contentText, source }, owner.topics, compiled);
    items.push({
      ...item,
      canonicalUrl,
      contentHash,
      ownSite: isOnOwnSite(item.url, sites),
      topics,
      signature: text === null ? signature : article!.signature,
      searchTokens: text === null ? searchTokens : searchTokensOf({ ...item, contentText: text }),
      fullContent: article?.stored ?? null,
    });
  });
  return items;
}

/** Counts the written items in the metrics. */
export function countWrittenItems(metrics: Metrics | undefined, written: UpsertResult): void {
  metrics?.items.inc({ change: 'new' }, written.insertedIds.length);
  metrics?.items.inc({ change: 'updated' }, written.updatedIds.length);
}

/**
 * Grouping runs after the commit, batched with other polls' items (src/dedupe/grouping-runs.ts). It
 * is the one serialized step of a cycle, so a poll does not wait for it: its caller
 * starts the next poll (and this one's feed is no longer held in memory meanwhile).
 */
export async function groupStories(ctx: FeedItemsContext, sourceId: number, updatedIds: number[]): Promise<string[]> {
  try {
    const grouped = await ctx.stories.group(updatedIds);
    for (const [via, count] of Object.entries(grouped.merged)) if (count > 0) ctx.metrics?.storiesMerged.inc({ via }, count);
    return [...grouped.topics];
  } catch (error) {
    // The items are stored; the next grouping run picks them up.
    ctx.log.error({ err: error, sourceId }, 'grouping items into stories failed; retried at the next poll');
    return [];
  }
}

/** A document's site URLs an item's link is compared with (own-site test, src/dedupe/own-site.ts). */
export function siteUrlsOf(feed: NormalizedFeed, source: Pick<Source, 'site_url'>, documentUrl: string): Array<string | null> {
  return [feed.siteUrl, source.site_url, documentUrl];
}
