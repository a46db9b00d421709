/**
 * The pure ingest pipeline for one fetched document: decode → parse → normalize, then
 * the per-item text features later stages need (plain content text for classification,
 * the near-duplicate signature for story grouping).
 *
 * It runs in a worker thread (parsing blocks ~100 ms per MB, docs/architecture.md), so it takes and
 * returns structured-cloneable data only, throws only FeedError, and imports nothing from db/,
 * store/, http/ or config/.
 */
import { FeedError } from '../errors.ts';
import { itemContentHash, type NormalizedFeed, type NormalizedItem } from '../model.ts';
import { canonicalUrl, textSignature, type TextSignature } from '../dedupe/index.ts';
import { htmlToPlainText } from '../text/html-text.ts';
import { searchTokens } from '../text/search-tokens.ts';
import { storageKey, storedItemMark } from '../text/storable-text.ts';
import { normalizeFeed } from './normalize.ts';
import { decodeFeed, describeHtmlPage, parseFeed, resolveAlternateHrefs } from './parse/index.ts';

export interface ItemFeatures {
  canonicalUrl: string | null;
  /** itemContentHash (model.ts) of the item with its signature. */
  contentHash: string;
  /**
   * The source has this item stored with this very content: nothing else was derived for it
   * (its text and signature are empty), and there is nothing to write.
   */
  unchanged: boolean;
  /** The content as plain text ('' when the item has no content). */
  contentText: string;
  signature: TextSignature | null;
  /** What search looks the item up by (src/text/search-tokens.ts); empty when unchanged. */
  searchTokens: string[];
}

export interface ReadFeedResult {
  feed: NormalizedFeed;
  /** The character encoding the body was decoded with (e.g. "utf-8", "euc-kr"). */
  encoding: string;
  /** One per item of feed.items, in the same order. */
  features: ItemFeatures[];
}

/**
 * The features of one item. Items the source has stored with the same content (`stored`:
 * storedItemMark of key and hash) skip the text signature, most of the cost of an item: in a
 * changed feed, usually all but one or two are unchanged.
 */
export function itemFeatures(item: NormalizedItem, stored: ReadonlySet<string> = NO_ITEMS): ItemFeatures {
  const canonical = canonicalUrl(item.url);
  const contentHash = itemContentHash({ ...item, canonicalUrl: canonical }, true);
  if (stored.has(storedItemMark(storageKey(item.key), contentHash))) {
    return { canonicalUrl: canonical, contentHash, unchanged: true, contentText: '', signature: null, searchTokens: [] };
  }
  const contentText = item.contentHtml ? htmlToPlainText(item.contentHtml) : '';
  // The body is whichever is longer: some feeds carry the full text only in the summary.
  const body = contentText.length >= item.summary.length ? contentText : item.summary;
  return {
    canonicalUrl: canonical,
    contentHash,
    unchanged: false,
    contentText,
    signature: textSignature({ title: item.title, text: body }),
    // Here, in the reader's worker thread, not on the main thread at upsert.
    searchTokens: searchTokens({ ...item, contentText }),
  };
}

const NO_ITEMS: ReadonlySet<string> = new Set();

/** What readFeed knows of the source. */
export interface ReadOptions {
  /** The marks of the items the source has stored (store/items.ts storedItemMarks). */
  stored?: ReadonlySet<string> | undefined;
  /** The source's IANA time zone, for dates written without one (UTC when unset). */
  timeZone?: string | null | undefined;
}

export async function readFeed(bytes: Uint8Array, contentType: string | null, feedUrl: string, options: ReadOptions = {}): Promise<ReadFeedResult> {
  try {
    const { text, encoding } = decodeFeed(bytes, contentType);
    const parsed = await parseFeed(text).catch((error: unknown) => {
      throw withAbsoluteAlternates(error, feedUrl);
    });
    const feed = normalizeFeed(parsed, feedUrl, options.timeZone ?? null);
    return { feed, encoding, features: feed.items.map((item) => itemFeatures(item, options.stored)) };
  } catch (error) {
    if (error instanceof FeedError) throw error;
    throw new FeedError('internal_error', `reading the feed failed unexpectedly: ${String(error)}`, { cause: error });
  }
}

/** parse reports an HTML page's feed links as written; callers of readFeed get them absolute. */
function withAbsoluteAlternates(error: unknown, feedUrl: string): unknown {
  if (!(error instanceof FeedError) || error.details.alternates === undefined) return error;
  const alternates = resolveAlternateHrefs(error.details.alternates, feedUrl);
  return new FeedError(error.code, describeHtmlPage(alternates), { ...error.details, alternates });
}
