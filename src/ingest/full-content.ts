/**
 * Full article text for summary-only feeds (a source with `fullContent`): within the poll,
 * after the feed is read and before its items are stored, each new or changed item's page
 * is fetched and its article extracted (extract-article.ts, in the worker threads). The
 * article then stands for the item's content in the outputs, in grouping (its text
 * signature) and in topic rules; the item's content hash stays the feed's, so extraction
 * never makes an item "changed".
 *
 * Each page goes through the fetcher like a feed (SSRF guard, size cap, deadline) inside a
 * slot of its host (host-slots.ts: polling.perHost and polling.hostSpacing hold for pages
 * too). A page is fetched once per item version: the outcome, article or failure, is stored
 * with the content hash it was fetched for (store/items.ts `full_content_for`), and a
 * changed item's page is asked for conditionally (RFC 9110 §13.1), its stored article kept
 * on a 304. A failure keeps the feed's own content and is stored on the item as
 * "code: message" (the source's health counts them, src/store/source-reads.ts).
 */
import { FeedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { NormalizedItem, TextSignature } from '../model.ts';
import type { StoredArticle, StoredArticlePage } from '../store/items.ts';
import { storageKey } from '../text/storable-text.ts';
import type { ArticleResult, ArticleTask } from './extract-article.ts';
import type { Fetcher } from './fetch/index.ts';
import { HostBusyError, type HostGate } from './host-slots.ts';
import type { ItemFeatures } from './read-feed.ts';

export type ExtractArticle = (task: ArticleTask) => Promise<ArticleResult>;

/** The part of the app context fetching articles uses. */
export interface FullContentContext {
  fetcher: Pick<Fetcher, 'fetchFeed'>;
  extractArticle: ExtractArticle;
  hostGate?: HostGate | undefined;
  log: Logger;
}

/** An item's article as the poll uses it: what to store, and the text that stands for its content. */
export interface ItemArticle {
  stored: StoredArticle;
  /** The article's plain text; null when there is none (the feed's own text stands). */
  text: string | null;
  signature: TextSignature | null;
}

/**
 * Pages fetched per poll at most. The rest wait for the next polls (their items are not
 * marked as fetched): a first poll of a 100-item feed, or a source that just turned
 * fullContent on, spreads its pages over several polls instead of holding one for minutes.
 */
export const MAX_PAGES_PER_POLL = 20;
/** Pages of one poll in flight at once (the host's slots bound them further). */
const PAGES_IN_FLIGHT = 2;

export interface FetchedArticles {
  /** By item index; items left out were not fetched this time. */
  articles: Map<number, ItemArticle>;
  /**
   * Items whose page waits for a later poll. While there are some, the feed is asked for
   * unconditionally (the caller stores no validators): a 304 would leave them waiting.
   */
  deferred: number;
}

/**
 * The articles of the new and changed items (`features[i].unchanged` false). `storedPages`
 * reads the articles stored for the changed items (their pages' validators). Rejects only
 * when `signal` aborts.
 */
export async function fetchArticles(
  ctx: FullContentContext,
  items: readonly NormalizedItem[],
  features: readonly ItemFeatures[],
  storedPages: (itemKeys: string[]) => Promise<StoredArticlePage[]>,
  signal?: AbortSignal,
): Promise<FetchedArticles> {
  const articles = new Map<number, ItemArticle>();
  const wanted = items.map((_, i) => i).filter((i) => !features[i]!.unchanged);
  const toFetch: number[] = [];
  for (const i of wanted) {
    if (pageUrlOf(items[i]!) === null) articles.set(i, failed(features[i]!.contentHash, 'no_link', 'the item has no http(s) link to fetch its article from'));
    else if (toFetch.length < MAX_PAGES_PER_POLL) toFetch.push(i);
  }
  const previous = new Map((await storedPages(toFetch.map((i) => storageKey(items[i]!.key)))).map((page) => [page.itemKey, page]));
  // One request per URL and poll, even when several items link to one page.
  const byUrl = new Map<string, Promise<ItemArticle | null>>();
  let next = 0;
  const work = async () => {
    while (next < toFetch.length) {
      const i = toFetch[next++]!;
      const item = items[i]!;
      const url = pageUrlOf(item)!;
      let pending = byUrl.get(url);
      if (pending === undefined) {
        pending = articleOf(ctx, item, features[i]!, url, previous.get(storageKey(item.key)), signal);
        byUrl.set(url, pending);
      }
      const article = await pending;
      if (article !== null) articles.set(i, { ...article, stored: { ...article.stored, forHash: features[i]!.contentHash } });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PAGES_IN_FLIGHT, toFetch.length) }, work));
  const failures = [...articles.values()].filter((a) => a.stored.error !== null).length;
  const deferred = wanted.length - articles.size;
  ctx.log.debug({ pages: toFetch.length, deferred, failures }, 'article pages fetched');
  return { articles, deferred };
}

/** The item's page: its link, when it is http(s). */
function pageUrlOf(item: NormalizedItem): string | null {
  return item.url !== null && /^https?:\/\//i.test(item.url) ? item.url : null;
}

function failed(forHash: string, code: string, message: string): ItemArticle {
  return { stored: { html: null, forHash, error: `${code}: ${message}`, etag: null, lastModified: null }, text: null, signature: null };
}

/** One page's article; null when its host stayed busy (the item waits for a later poll). */
async function articleOf(
  ctx: FullContentContext,
  item: NormalizedItem,
  features: ItemFeatures,
  url: string,
  previous: StoredArticlePage | undefined,
  signal: AbortSignal | undefined,
): Promise<ItemArticle | null> {
  const forHash = features.contentHash;
  const feedTextLength = Math.max(features.contentText.length, item.summary.length);
  let slot: Awaited<ReturnType<HostGate['acquire']>> | undefined;
  try {
    slot = await ctx.hostGate?.acquire(url, signal);
  } catch (error) {
    if (error instanceof HostBusyError) return null;
    throw error;
  }
  let response: Awaited<ReturnType<Fetcher['fetchFeed']>>;
  try {
    // Validators only with a stored article: a 304 then means "keep it".
    const validators = previous ? { etag: previous.etag, lastModified: previous.lastModified } : {};
    response = await ctx.fetcher.fetchFeed({ url, ...validators, signal });
  } catch (error) {
    if (error instanceof FeedError) return failed(forHash, error.code, error.message);
    throw error;
  } finally {
    await slot?.release();
  }
  const task: ArticleTask =
    response.kind === 'not_modified'
      ? { bytes: Buffer.from(previous!.html), contentType: null, pageUrl: response.finalUrl, title: item.title, feedTextLength, extracted: true }
      : { bytes: response.body, contentType: response.contentType, pageUrl: response.finalUrl, title: item.title, feedTextLength };
  let result: ArticleResult;
  try {
    result = await ctx.extractArticle(task);
  } catch (error) {
    // The worker's heap cap or time limit (read-feed-pool.ts): this page's failure, not the poll's.
    if (error instanceof FeedError) return failed(forHash, error.code, error.message);
    throw error;
  }
  if (!result.ok) return failed(forHash, result.code, result.message);
  const validators =
    response.kind === 'ok' ? { etag: response.etag, lastModified: response.lastModified } : { etag: previous!.etag, lastModified: previous!.lastModified };
  return { stored: { html: result.html, forHash, error: null, ...validators }, text: result.text, signature: result.signature };
}
