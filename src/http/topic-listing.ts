/**
 * /topics.opml: every topic feed, and each topic's digest feed, as one OPML 2.0 document to
 * import into a feed reader. Its dateCreated (and Last-Modified) is when this listing
 * first took its current form, so it changes only when the listing does.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { renderOpml, type OpmlOutline } from '../render/opml.ts';
import { digestIndexPath, digestKind, type IndexTopic } from '../render/pages.ts';
import { topicFeedUrls } from '../render/topic-feed.ts';
import { CACHE_CONTROL } from './cached-response.ts';
import type { ServedTopics } from './served-topics.ts';
import { isNotModified } from './conditional.ts';

const TITLE = 'Tidings topic feeds';

export interface TopicListingDeps {
  topics: ServedTopics;
  publicUrl: string;
  /**
   * Since when the listing with this fingerprint has been published (stored, so instances
   * and restarts agree); absent or failing: when this server was built.
   */
  listingSince?: ((fingerprint: string) => Promise<Date>) | undefined;
}

/** One outline per topic feed, followed by its digest feed where the topic has one. */
export function topicOutlines(topics: readonly IndexTopic[], publicUrl: string): OpmlOutline[] {
  return topics.flatMap((t) => {
    const feed: OpmlOutline = { title: t.title, xmlUrl: topicFeedUrls(publicUrl, t.slug, 'feed').rss, htmlUrl: `${publicUrl}/`, category: t.slug };
    if (!t.hasDigest) return [feed];
    const digest: OpmlOutline = {
      title: `${t.title} — ${digestKind(t)}`,
      xmlUrl: topicFeedUrls(publicUrl, t.slug, 'digest').rss,
      htmlUrl: publicUrl + digestIndexPath(t.slug),
      category: t.slug,
    };
    return [feed, digest];
  });
}

/** HTTP dates have whole seconds: so must Last-Modified and dateCreated, or If-Modified-Since never matches. */
function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

export function registerTopicListing(app: FastifyInstance, deps: TopicListingDeps): void {
  const built = new Date();
  /** The listing of one list of topics (they change while serving: a new list, a new listing). */
  let listing:
    | { topics: readonly IndexTopic[]; outlines: OpmlOutline[]; fingerprint: string; document?: { body: string; etag: string; created: Date } }
    | undefined;

  const render = (outlines: OpmlOutline[], created: Date) => {
    const body = renderOpml(TITLE, outlines, created);
    return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, created };
  };

  /** Rendered once the listing's date is known; until the database answers, with the server's start time. */
  const current = async () => {
    const topics = deps.topics.list();
    if (listing?.topics !== topics) {
      const outlines = topicOutlines(topics, deps.publicUrl);
      listing = {
        topics,
        outlines,
        fingerprint: createHash('sha256')
          .update(renderOpml(TITLE, outlines, new Date(0)))
          .digest('base64url'),
      };
    }
    const held = listing;
    if (held.document) return held.document;
    let since: Date;
    try {
      since = deps.listingSince ? await deps.listingSince(held.fingerprint) : built;
    } catch (error) {
      app.log.warn({ err: error }, 'topic listing date unavailable; using the start time for now');
      return render(held.outlines, wholeSeconds(built));
    }
    held.document = render(held.outlines, wholeSeconds(since));
    return held.document;
  };

  app.get('/topics.opml', async (request, reply) => {
    const { body, etag, created } = await current();
    reply.header('cache-control', CACHE_CONTROL).header('etag', etag).header('last-modified', created.toUTCString());
    if (isNotModified(request.headers, etag, created)) return reply.code(304).send();
    return reply.type('text/x-opml; charset=utf-8').send(body);
  });
}
