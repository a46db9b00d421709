/**
 * A topic's archive pages (RFC 5005 §4): /topics/<slug>/archive/<page>/rss.xml, atom.xml and
 * feed.json. A page holds the same stories for good (src/store/topic-archive.ts), so it is
 * cached long, with an ETag and 304s. Pages are rendered from the database on demand (they
 * are read rarely: a reader walks them once) and kept in memory for a minute, or until the
 * topic's current document changes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FeedFormat } from '../db/schema.ts';
import { archiveFileFormat } from '../render/archive-links.ts';
import { FEED_CONTENT_TYPES } from '../render/feed-formats.ts';
import { isNotModified, preferredEncoding, representationEtag } from './conditional.ts';
import { unknownTopic } from './digest-routes.ts';
import { HttpError } from './errors.ts';
import { compressed, type CachedDocument, type FeedCache } from './feed-cache.ts';
import type { ServedTopics } from './served-topics.ts';
import { createVariantCache, type VariantCache } from './variant-cache.ts';

/**
 * A page's stories never change (only leave, by retention): a week. An edited story shows
 * its edit on its page after at most that long.
 */
export const ARCHIVE_CACHE_CONTROL = 'public, max-age=604800';
/** How long this instance reuses a page it rendered, at most: a story deleted meanwhile shows this long. */
const RENDERED_TTL_MS = 60_000;
/** Memory for rendered pages (all formats, compressed copies included). */
const ARCHIVE_CACHE_BYTES = 8 * 1024 * 1024;

export type ArchiveRender = { status: 'found'; body: string; etag: string } | { status: 'gone' | 'missing' };

export interface ArchiveRoutesDeps {
  publicUrl: string;
  topics: ServedTopics;
  /** The topic feeds served: a new generation of one retires its rendered archive pages. */
  feedCache?: Pick<FeedCache, 'get'> | undefined;
  /** Renders one archive page in one format (absent: no archives are served). */
  renderArchivePage?: ((slug: string, page: number, format: FeedFormat) => Promise<ArchiveRender>) | undefined;
}

/** A page number as its URL spells it: digits, no leading zero (one URL per page). */
export function parsePageNumber(raw: string): number | null {
  return /^(0|[1-9]\d{0,8})$/.test(raw) ? Number(raw) : null;
}

export function noSuchPage(slug: string, raw: string, status: 'gone' | 'missing'): HttpError {
  const page = raw.slice(0, 20);
  if (status === 'gone') {
    return new HttpError(410, 'archive_page_gone', `archive page ${page} of "${slug}" is gone: its stories are past the retention period`);
  }
  return new HttpError(404, 'unknown_archive_page', `no archive page ${page} of "${slug}"; the current feed links to the newest one (rel="prev-archive")`);
}

/** Sends a rendered document with ETag / 304 and the best coding the client accepts (as cached-response.ts does). */
export function sendRendered(request: FastifyRequest, reply: FastifyReply, doc: CachedDocument, contentType: string, cacheControl: string): FastifyReply {
  const encoding = preferredEncoding(request.headers['accept-encoding']);
  const etag = representationEtag(doc.etag, encoding);
  reply.header('etag', etag).header('cache-control', cacheControl).header('vary', 'Accept-Encoding');
  if (isNotModified(request.headers, doc.etag, doc.lastModified)) return reply.code(304).send();
  reply.header('content-type', contentType).header('last-modified', doc.lastModified.toUTCString());
  if (encoding === 'identity') return reply.send(doc.body);
  return reply.header('content-encoding', encoding).send(compressed(doc, encoding));
}

export function registerArchiveRoutes(app: FastifyInstance, deps: ArchiveRoutesDeps, cache: VariantCache = createVariantCache(ARCHIVE_CACHE_BYTES)): void {
  const render = deps.renderArchivePage;

  async function pageDocument(slug: string, rawPage: string, format: FeedFormat): Promise<CachedDocument> {
    const page = parsePageNumber(rawPage);
    if (page === null || render === undefined) throw noSuchPage(slug, rawPage, 'missing');
    const key = `${slug}|${page}|${format}`;
    const hit = cache.get(key);
    const generation = deps.feedCache?.get(slug, 'feed', format)?.generation ?? -1;
    if (hit && hit.expires > Date.now() && hit.doc.generation === generation) return hit.doc;
    const rendered = await render(slug, page, format);
    if (rendered.status !== 'found') throw noSuchPage(slug, rawPage, rendered.status);
    // Same bytes as the copy held: keep its date, so If-Modified-Since keeps matching.
    const lastModified = hit?.doc.etag === rendered.etag ? hit.doc.lastModified : new Date(Math.floor(Date.now() / 1000) * 1000);
    const doc: CachedDocument = { topic: slug, kind: 'feed', format, generation, body: Buffer.from(rendered.body), etag: rendered.etag, lastModified };
    cache.set(key, { doc, expires: Date.now() + RENDERED_TTL_MS });
    return doc;
  }

  app.get('/topics/:slug/archive/:page/:file', async (request: FastifyRequest<{ Params: { slug: string; page: string; file: string } }>, reply) => {
    const { slug, page, file } = request.params;
    if (!deps.topics.get(slug)) throw unknownTopic(slug, deps.publicUrl);
    const format = archiveFileFormat(file);
    if (format === undefined) {
      throw new HttpError(404, 'unknown_format', `nothing at ${file.slice(0, 40)}: an archive page is rss.xml, atom.xml or feed.json`);
    }
    const doc = await pageDocument(slug, page, format);
    sendRendered(request, reply, doc, FEED_CONTENT_TYPES[format], ARCHIVE_CACHE_CONTROL);
    cache.remeasure(`${slug}|${page}|${format}`);
    return reply;
  });
}
