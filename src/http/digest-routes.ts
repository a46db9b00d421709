/**
 * A topic's published digests in the browser: the list (/topics/<slug>/digest/, newest
 * first) and each digest at its permalink (/topics/<slug>/digest/YYYY-MM-DD), as a page or
 * as plain text (…/YYYY-MM-DD.txt). The digest feeds themselves are public-routes.ts'.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { digestIndexPage, type DigestIndexEntry } from '../render/digest-index-page.ts';
import { digestPage, type DigestPageInput, type IndexTopic } from '../render/pages.ts';
import { CACHE_CONTROL } from './cached-response.ts';
import { HttpError } from './errors.ts';
import { sendPage } from './html-page.ts';
import type { ServedTopics } from './served-topics.ts';

/** The digest index lists at most this many (a year and a day of daily digests). */
export const MAX_LISTED_DIGESTS = 366;
/** Published digests never change (unless an operator rebuilds one): cache for a day. */
const PUBLISHED_CACHE_CONTROL = 'public, max-age=86400';

export interface PublishedDigest extends Omit<DigestPageInput, 'topic'> {
  text: string;
}

export interface DigestRoutesDeps {
  topics: ServedTopics;
  publicUrl: string;
  /** A published digest, by topic and local date (YYYY-MM-DD). */
  findDigest(slug: string, date: string): Promise<PublishedDigest | undefined>;
  /** A topic's published digests, newest first, at most `limit` (absent: none are listed). */
  listDigests?: ((slug: string, limit: number) => Promise<DigestIndexEntry[]>) | undefined;
}

/** YYYY-MM-DD naming a day that exists (no 2026-02-30), so the database is never asked about one that does not. */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC: it reads years 0-99 as 1900-1999
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function unknownTopic(slug: string, publicUrl: string): HttpError {
  return new HttpError(404, 'unknown_topic', `no topic "${slug}"; see ${publicUrl}/ for the list`);
}

export function registerDigestRoutes(app: FastifyInstance, deps: DigestRoutesDeps): void {
  const topicWithDigest = (slug: string): IndexTopic => {
    const topic = deps.topics.get(slug);
    if (!topic) throw unknownTopic(slug, deps.publicUrl);
    if (!topic.hasDigest) throw new HttpError(404, 'no_digest', `the topic "${topic.title}" has no digest`);
    return topic;
  };

  const index = async (request: FastifyRequest<{ Params: { slug: string } }>, reply: FastifyReply) => {
    const topic = topicWithDigest(request.params.slug);
    // One more than shown tells whether older ones exist.
    const entries = (await deps.listDigests?.(topic.slug, MAX_LISTED_DIGESTS + 1)) ?? [];
    if (entries.length === 0) {
      throw new HttpError(404, 'no_digest_yet', `no ${topic.title} digest has been published yet; the first one comes at the end of the current period`);
    }
    const shown = entries.slice(0, MAX_LISTED_DIGESTS);
    return sendPage(reply, digestIndexPage(topic, shown, deps.publicUrl, entries.length > shown.length), { cacheControl: CACHE_CONTROL });
  };
  // Both spellings: nothing else lives at /topics/<slug>/digest, and people drop the slash.
  app.get('/topics/:slug/digest/', index);
  app.get('/topics/:slug/digest', index);

  app.get('/topics/:slug/digest/:date', async (request: FastifyRequest<{ Params: { slug: string; date: string } }>, reply) => {
    const { slug } = request.params;
    const topic = deps.topics.get(slug);
    if (!topic) throw unknownTopic(slug, deps.publicUrl);
    const asText = request.params.date.endsWith('.txt');
    const date = asText ? request.params.date.slice(0, -'.txt'.length) : request.params.date;
    if (!isCalendarDate(date)) throw new HttpError(400, 'invalid_date', `no such date: ${date.slice(0, 40)} (a digest is named by its date, like 2026-11-24)`);
    const digest = await deps.findDigest(slug, date);
    if (!digest) throw new HttpError(404, 'unknown_digest', `no ${topic.title} digest was published for ${date}`);
    if (asText) {
      return reply
        .type('text/plain; charset=utf-8')
        .header('cache-control', PUBLISHED_CACHE_CONTROL)
        .header('x-content-type-options', 'nosniff')
        .send(digest.text);
    }
    return sendPage(reply, digestPage({ ...digest, topic }, deps.publicUrl), { cacheControl: PUBLISHED_CACHE_CONTROL });
  });
}
