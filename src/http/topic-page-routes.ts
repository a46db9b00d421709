/**
 * The pages for browsers: the index (/, each topic's latest stories), a topic's stories
 * (/topics/<slug>/) and its archive pages (/topics/<slug>/archive/<n>/), rendered by
 * src/render/topic-page.ts from the database on demand, and kept in memory for a minute or
 * until the topic's document changes (a new generation in the feed cache). Answered with an
 * ETag and 304s, like the feeds. When the database cannot be read, the index falls back to
 * its subscribe links.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FeedEntry } from '../model.ts';
import type { SearchQuery } from '../text/search-query.ts';
import { indexPage, type IndexTopic } from '../render/pages.ts';
import { storyRiver, topicPage, topicPagePath, type RiverStories } from '../render/topic-page.ts';
import { noSuchPage, parsePageNumber } from './archive-routes.ts';
import { CACHE_CONTROL } from './cached-response.ts';
import { isNotModified } from './conditional.ts';
import { unknownTopic } from './digest-routes.ts';
import type { CachedDocument, FeedCache } from './feed-cache.ts';
import { sendPage } from './html-page.ts';
import { searchQueryParam } from './search-feeds.ts';
import type { ServedTopics } from './served-topics.ts';
import { createVariantCache, type VariantCache } from './variant-cache.ts';

/** Stories each topic shows on the index. */
export const INDEX_STORIES = 5;
/** Longest search query read; the rest is cut. */
const MAX_QUERY = 200;
const RENDERED_TTL_MS = 60_000;
const PAGE_CACHE_BYTES = 4 * 1024 * 1024;

export interface TopicPageDeps {
  topics: ServedTopics;
  publicUrl: string;
  feedCache?: Pick<FeedCache, 'get'> | undefined;
  /** The topic page's stories (jobs/archive-pages.ts topicPageStories); absent: no topic pages. */
  topicPageStories?: ((slug: string) => Promise<RiverStories>) | undefined;
  /** One archive page's stories (jobs/archive-pages.ts archivePageStories). */
  archivePageStories?: ((slug: string, page: number) => Promise<RiverStories>) | undefined;
  /** A topic's newest stories, for the index; absent or failing: the index has subscribe links only. */
  latestStories?: ((slug: string, limit: number) => Promise<FeedEntry[]>) | undefined;
  /** The stories of a topic matching `?q=` (src/store/search.ts), newest first; absent: `q` is ignored. */
  searchStories?: ((slug: string, query: SearchQuery) => Promise<FeedEntry[]>) | undefined;
}

function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

function asDocument(topic: string, body: string, generation: number): CachedDocument {
  return {
    topic,
    kind: 'feed',
    format: 'atom',
    generation,
    body: Buffer.from(body),
    etag: etagOf(body),
    lastModified: new Date(Math.floor(Date.now() / 1000) * 1000),
  };
}

/** Sends a rendered page with its ETag, or 304 when the browser's copy is current. */
function sendHtml(request: FastifyRequest, reply: FastifyReply, doc: CachedDocument, forms: boolean): FastifyReply {
  reply.header('etag', doc.etag).header('cache-control', CACHE_CONTROL);
  if (isNotModified(request.headers, doc.etag, doc.lastModified)) return reply.code(304).send();
  return sendPage(reply.header('last-modified', doc.lastModified.toUTCString()), doc.body, { cacheControl: CACHE_CONTROL, forms });
}

/** The query of ?q=, trimmed and cut; null when absent or blank. */
function searchQuery(raw: unknown): string | null {
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (typeof text !== 'string') return null;
  const query = text.trim().slice(0, MAX_QUERY);
  return query === '' ? null : query;
}

export function registerTopicPageRoutes(app: FastifyInstance, deps: TopicPageDeps, cache: VariantCache = createVariantCache(PAGE_CACHE_BYTES)): void {
  const generationOf = (slug: string) => deps.feedCache?.get(slug, 'feed', 'atom')?.generation ?? -1;
  const topicOf = (slug: string): IndexTopic => {
    const topic = deps.topics.get(slug);
    if (!topic) throw unknownTopic(slug, deps.publicUrl);
    return topic;
  };

  /** A page from the cache while its topic's document is unchanged, else rendered anew. */
  async function cachedPage(key: string, slug: string, render: () => Promise<string>): Promise<CachedDocument> {
    const generation = generationOf(slug);
    const hit = cache.get(key);
    if (hit && hit.expires > Date.now() && hit.doc.generation === generation) return hit.doc;
    const doc = asDocument(slug, await render(), generation);
    const kept = hit?.doc.etag === doc.etag ? hit.doc : doc; // same bytes: same Last-Modified
    cache.set(key, { doc: kept, expires: Date.now() + RENDERED_TTL_MS });
    return kept;
  }

  const topicRoute = async (request: FastifyRequest<{ Params: { slug: string }; Querystring: { q?: string } }>, reply: FastifyReply) => {
    const topic = topicOf(request.params.slug);
    if (!deps.topicPageStories) throw unknownTopic(topic.slug, deps.publicUrl);
    const raw = searchQuery(request.query.q);
    if (raw !== null && deps.searchStories) {
      const query = searchQueryParam(raw); // a 400 saying what is wrong with it
      const doc = await cachedPage(`search|${topic.slug}|${query.text}`, topic.slug, async () => {
        const found = await deps.searchStories!(topic.slug, query);
        const note = `${found.length} ${found.length === 1 ? 'story matches' : 'stories match'} “${raw}”.`;
        return topicPage({ topic, stories: found, paging: { page: null, older: null, newer: null }, search: { query: raw, note } }, deps.publicUrl);
      });
      return sendHtml(request, reply, doc, true);
    }
    const doc = await cachedPage(`topic|${topic.slug}`, topic.slug, async () => {
      const river = await deps.topicPageStories!(topic.slug);
      if (river.status !== 'found') throw noSuchPage(topic.slug, '', river.status);
      return topicPage({ topic, stories: river.stories, paging: river.paging }, deps.publicUrl);
    });
    return sendHtml(request, reply, doc, true);
  };
  app.get('/topics/:slug/', topicRoute);
  // Without the slash: the same page at its one address.
  app.get('/topics/:slug', async (request: FastifyRequest<{ Params: { slug: string } }>, reply) => {
    const topic = topicOf(request.params.slug);
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    return reply.redirect(topicPagePath(topic.slug) + query, 301);
  });

  app.get('/topics/:slug/archive/:page/', async (request: FastifyRequest<{ Params: { slug: string; page: string } }>, reply) => {
    const topic = topicOf(request.params.slug);
    const page = parsePageNumber(request.params.page);
    if (page === null || !deps.archivePageStories) throw noSuchPage(topic.slug, request.params.page, 'missing');
    const doc = await cachedPage(`archive|${topic.slug}|${page}`, topic.slug, async () => {
      const river = await deps.archivePageStories!(topic.slug, page);
      if (river.status !== 'found') throw noSuchPage(topic.slug, request.params.page, river.status);
      return topicPage({ topic, stories: river.stories, paging: river.paging }, deps.publicUrl);
    });
    return sendHtml(request, reply, doc, true);
  });

  let index: { topics: readonly IndexTopic[]; fingerprint: string; doc: CachedDocument; expires: number } | undefined;
  app.get('/', async (request, reply) => {
    const topics = deps.topics.list();
    const fingerprint = topics.map((t) => generationOf(t.slug)).join(',');
    if (index === undefined || index.topics !== topics || index.fingerprint !== fingerprint || index.expires <= Date.now()) {
      let body = indexPage(topics, deps.publicUrl);
      if (deps.latestStories) {
        try {
          const latest = new Map<string, FeedEntry[]>();
          for (const topic of topics) latest.set(topic.slug, await deps.latestStories(topic.slug, INDEX_STORIES));
          body = indexPage(topics, deps.publicUrl, (topic) => storyRiver(latest.get(topic.slug) ?? [], topic.digest.timezone));
        } catch (error) {
          request.log.warn({ err: error }, 'latest stories unavailable; the index shows subscribe links only');
        }
      }
      const doc = asDocument('', body, 0);
      index = { topics, fingerprint, doc: index?.doc.etag === doc.etag ? index.doc : doc, expires: Date.now() + RENDERED_TTL_MS };
    }
    return sendHtml(request, reply, index.doc, false);
  });
}
