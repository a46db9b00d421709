/**
 * The pure ingest pipeline for one fetched document: decode → parse → normalize.
 *
 * It runs in a worker thread (parsing blocks ~100 ms per MB, ARCHITECTURE.md), so it takes and
 * returns structured-cloneable data only, throws only FeedError, and imports nothing from db/,
 * store/, http/ or config/.
 */
import { FeedError } from '../errors.ts';
import type { NormalizedFeed } from '../model.ts';
import { decodeFeed } from './decode.ts';
import { normalizeFeed } from './normalize.ts';
import { describeHtmlPage, parseFeed, resolveAlternateHrefs } from './parse.ts';

export interface ReadFeedResult {
  feed: NormalizedFeed;
  /** The character encoding the body was decoded with (e.g. "utf-8", "euc-kr"). */
  encoding: string;
}

export async function readFeed(bytes: Uint8Array, contentType: string | null, feedUrl: string): Promise<ReadFeedResult> {
  try {
    const { text, encoding } = decodeFeed(bytes, contentType);
    const parsed = await parseFeed(text).catch((error: unknown) => {
      throw withAbsoluteAlternates(error, feedUrl);
    });
    return { feed: normalizeFeed(parsed, feedUrl), encoding };
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
