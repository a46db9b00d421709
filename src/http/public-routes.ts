/**
 * What readers use: the index page, topic documents (from the in-memory cache, with
 * ETag / Last-Modified / 304 and pre-compressed bodies), OPML, health.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FeedFormat, FeedKind } from '../db/schema.ts';
import { registerArchiveRoutes, type ArchiveRoutesDeps } from './archive-routes.ts';
import { bearerToken, safeEqual } from './auth.ts';
import { cachedResponse } from './cached-response.ts';
import { registerDigestRoutes, unknownTopic, type DigestRoutesDeps } from './digest-routes.ts';
import { HttpError } from './errors.ts';
import type { DocumentLink } from './fast-feeds.ts';
import type { CachedDocument, FeedCache } from './feed-cache.ts';
import { searchFeedAnswerer, type SearchFeedDeps } from './search-feeds.ts';
import { registerTopicListing, type TopicListingDeps } from './topic-listing.ts';
import { registerTopicPageRoutes, type TopicPageDeps } from './topic-page-routes.ts';
import { createVariantCache, type VariantCache } from './variant-cache.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
/** Variants longer than the default document: how long their extra entries may be stale. */
const BEYOND_DEFAULT_TTL_MS = 60_000;
/** The generation of a variant rendered while its default document was not cached. */
const NO_GENERATION = -1;

export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface PublicRoutesDeps extends DigestRoutesDeps, TopicListingDeps, ArchiveRoutesDeps, TopicPageDeps {
  feedCache: FeedCache;
  /** Database reachable and migrations current (GET /readyz). */
  readiness?: () => Promise<Readiness>;
  /** Prometheus text exposition (GET /metrics). */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** METRICS_TOKEN: when set, /metrics needs `Authorization: Bearer <it>` (its labels name every source host). */
  metricsToken?: string | null | undefined;
  /** Documents rendered for a non-default `?limit=` (default: VARIANT_CACHE_BYTES of them). */
  variants?: VariantCache;
  /** Renders a document straight from the database (non-default limits, or not yet cached). */
  renderDocument(slug: string, kind: FeedKind, format: FeedFormat, limit: number): Promise<{ body: string; etag: string }>;
  /** Renders a search of a topic's feed (`?q=`, search-feeds.ts); without it, `?q=` answers 404. */
  renderSearch?: SearchFeedDeps['renderSearch'] | undefined;
  /** The WebSub Link header of each document (default: none). */
  documentLink?: DocumentLink | undefined;
}

/** The file names a topic (or digest) feed is served under. */
const FEED_FILES = ['rss.xml', 'atom.xml', 'feed.json'] as const;

export function parseLimit(raw: unknown): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (typeof text !== 'string' || !/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > MAX_LIMIT) {
    throw new HttpError(400, 'invalid_limit', `limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return Number(text);
}

function sendCached(request: FastifyRequest, reply: FastifyReply, doc: CachedDocument, format: FeedFormat, link: string | null = null): FastifyReply {
  const response = cachedResponse(doc, format, request.headers, link);
  reply.code(response.status).headers(response.headers);
  return response.body === null ? reply.send() : reply.send(response.body);
}

export function registerPublicRoutes(app: FastifyInstance, deps: PublicRoutesDeps): void {
  const variants = deps.variants ?? createVariantCache();
  const renderSearch = deps.renderSearch;
  const search = renderSearch && searchFeedAnswerer({ feedCache: deps.feedCache, variants, renderSearch });

  /** The document to answer with, and the variant cache's key when it is one of its variants. */
  async function documentFor(slug: string, kind: FeedKind, format: FeedFormat, limit: number): Promise<{ doc: CachedDocument; key: string | null }> {
    const cached = deps.feedCache.get(slug, kind, format);
    if (cached && limit === DEFAULT_LIMIT) return { doc: cached, key: null };
    const key = `${slug}|${kind}|${format}|${limit}`;
    const generation = cached?.generation ?? NO_GENERATION;
    const hit = variants.get(key);
    // A variant is as old as its document's generation: a new one retires it.
    if (hit && hit.doc.generation === generation && hit.expires > Date.now()) return { doc: hit.doc, key };
    let rendered: { body: string; etag: string };
    try {
      rendered = await deps.renderDocument(slug, kind, format, limit);
    } catch (error) {
      if (cached) return { doc: cached, key: null }; // database unreachable: the default document is better than nothing
      throw new HttpError(503, 'unavailable', `this feed cannot be rendered right now (${(error as Error).message}); try again shortly`);
    }
    const lastModified = cached?.lastModified ?? new Date(Math.floor(Date.now() / 1000) * 1000);
    const doc: CachedDocument = { topic: slug, kind, format, generation, body: Buffer.from(rendered.body), etag: rendered.etag, lastModified };
    // Up to the default limit a variant's entries are the default document's first ones,
    // so it changes only with a new generation. Beyond it, entries the default document
    // does not hold can change (or go) without one: those expire.
    const expires = cached !== undefined && limit <= DEFAULT_LIMIT ? Infinity : Date.now() + BEYOND_DEFAULT_TTL_MS;
    variants.set(key, { doc, expires });
    return { doc, key };
  }

  const feedRoute =
    (kind: FeedKind, format: FeedFormat) =>
    async (request: FastifyRequest<{ Params: { slug: string }; Querystring: { limit?: string; q?: string } }>, reply: FastifyReply) => {
      const { slug } = request.params;
      if (!deps.topics.get(slug)) throw unknownTopic(slug, deps.publicUrl);
      const limit = parseLimit(request.query.limit);
      if (request.query.q !== undefined) {
        if (!search) throw new HttpError(404, 'not_found', 'search is not enabled');
        return search(request, reply, { slug, kind, format, limit, q: request.query.q });
      }
      const { doc, key } = await documentFor(slug, kind, format, limit);
      sendCached(request, reply, doc, format, deps.documentLink?.(slug, kind, format) ?? null);
      if (key !== null) variants.remeasure(key); // answering may have compressed it
      return reply;
    };
  for (const kind of ['feed', 'digest'] as const) {
    const prefix = kind === 'digest' ? '/topics/:slug/digest' : '/topics/:slug';
    app.get(`${prefix}/rss.xml`, feedRoute(kind, 'rss'));
    app.get(`${prefix}/atom.xml`, feedRoute(kind, 'atom'));
    app.get(`${prefix}/feed.json`, feedRoute(kind, 'json'));
  }

  // Any other file under a topic: say what there is instead of a bare "no such page".
  app.get('/topics/:slug/:file', async (request: FastifyRequest<{ Params: { slug: string; file: string } }>) => {
    const { slug, file } = request.params;
    if (!deps.topics.get(slug)) throw unknownTopic(slug, deps.publicUrl);
    throw new HttpError(
      404,
      'unknown_format',
      `nothing at /topics/${slug}/${file.slice(0, 40)}: the topic's feeds are ${FEED_FILES.join(', ')}, and its digests are under /topics/${slug}/digest/`,
    );
  });
  registerDigestRoutes(app, deps);
  registerArchiveRoutes(app, deps);

  registerTopicPageRoutes(app, deps);
  registerTopicListing(app, deps);

  // Liveness: the process answers. Readiness: it can do its work (load balancers route on it).
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const readiness = deps.readiness ? await deps.readiness() : { ready: true, checks: {} };
    return reply
      .code(readiness.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: readiness.ready ? 'ready' : 'not ready', checks: readiness.checks });
  });
  app.get('/metrics', async (request, reply) => {
    if (!deps.metrics) throw new HttpError(404, 'not_found', 'metrics are not enabled');
    if (deps.metricsToken) {
      const given = bearerToken(request.headers.authorization);
      if (given === null || !safeEqual(given, deps.metricsToken)) {
        reply.header('www-authenticate', `Bearer realm="tidings-metrics"${given === null ? '' : ', error="invalid_token"'}`);
        throw new HttpError(401, 'unauthorized', given === null ? 'metrics need "Authorization: Bearer <METRICS_TOKEN>"' : 'wrong METRICS_TOKEN');
      }
    }
    const { contentType, body } = await deps.metrics();
    return reply.type(contentType).header('cache-control', 'no-store').send(body);
  });
}
