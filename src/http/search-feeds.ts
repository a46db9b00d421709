/**
 * `?q=` on a topic's feeds: the topic's stories matching a search (src/store/search.ts),
 * in the asked format. Answered like a `?limit=` variant (public-routes.ts): rendered on
 * demand, kept in the variant cache under the query's canonical spelling, retired by the
 * topic's next generation, and served with the same ETag / 304 and Cache-Control.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FeedFormat, FeedKind } from '../db/schema.ts';
import { parseSearchQuery, SearchQueryError, type SearchQuery } from '../text/search-query.ts';
import { cachedResponse } from './cached-response.ts';
import { HttpError } from './errors.ts';
import type { CachedDocument, FeedCache } from './feed-cache.ts';
import type { VariantCache } from './variant-cache.ts';

/**
 * How long a search result may be reused within one generation of the topic's document: a
 * search reaches stories beyond the default document, which can change without a new one.
 */
const SEARCH_TTL_MS = 60_000;
/** The generation of a search rendered while its topic's default document was not cached. */
const NO_GENERATION = -1;

export interface SearchFeedDeps {
  feedCache: FeedCache;
  variants: VariantCache;
  /** Renders the topic's stories matching `query` (at most `limit`) in one format, from the database. */
  renderSearch(slug: string, format: FeedFormat, limit: number, query: SearchQuery): Promise<{ body: string; etag: string }>;
}

export interface SearchRequest {
  slug: string;
  kind: FeedKind;
  format: FeedFormat;
  limit: number;
  /** The raw `q` parameter (repeated: its first value). */
  q: unknown;
}

/** `q` parsed, or a 400 saying what is wrong with it. */
export function searchQueryParam(raw: unknown): SearchQuery {
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (typeof text !== 'string') throw new HttpError(400, 'invalid_query', 'q must be text');
  try {
    return parseSearchQuery(text);
  } catch (error) {
    if (error instanceof SearchQueryError) throw new HttpError(400, error.code, error.message);
    throw error;
  }
}

/** Returns the handler of a search request; it answers through `reply`. */
export function searchFeedAnswerer(deps: SearchFeedDeps): (request: FastifyRequest, reply: FastifyReply, search: SearchRequest) => Promise<FastifyReply> {
  async function documentFor(slug: string, format: FeedFormat, limit: number, query: SearchQuery): Promise<{ doc: CachedDocument; key: string }> {
    const cached = deps.feedCache.get(slug, 'feed', format);
    const generation = cached?.generation ?? NO_GENERATION;
    const key = `${slug}|search|${format}|${limit}|${query.text}`;
    const hit = deps.variants.get(key);
    if (hit && hit.doc.generation === generation && hit.expires > Date.now()) return { doc: hit.doc, key };
    let rendered: { body: string; etag: string };
    try {
      rendered = await deps.renderSearch(slug, format, limit, query);
    } catch (error) {
      throw new HttpError(503, 'unavailable', `this search cannot be answered right now (${(error as Error).message}); try again shortly`);
    }
    const lastModified = cached?.lastModified ?? new Date(Math.floor(Date.now() / 1000) * 1000);
    const doc: CachedDocument = { topic: slug, kind: 'feed', format, generation, body: Buffer.from(rendered.body), etag: rendered.etag, lastModified };
    deps.variants.set(key, { doc, expires: Date.now() + SEARCH_TTL_MS });
    return { doc, key };
  }

  return async (request, reply, search) => {
    const query = searchQueryParam(search.q);
    if (search.kind !== 'feed') throw new HttpError(400, 'invalid_query', "search covers a topic's feed, not its digests");
    const { doc, key } = await documentFor(search.slug, search.format, search.limit, query);
    const response = cachedResponse(doc, search.format, request.headers);
    reply.code(response.status).headers(response.headers);
    if (response.body === null) reply.send();
    else reply.send(response.body);
    deps.variants.remeasure(key); // answering may have compressed it
    return reply;
  };
}
