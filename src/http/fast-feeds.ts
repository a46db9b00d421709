/**
 * The hottest request, answered before fastify: a GET of a topic's (or digest's) default
 * document that is in the memory cache, with no query string. A feed reader polls exactly
 * this, mostly revalidating (304), and fastify's per-request machinery cost more than the
 * answer itself (~0.7x the requests/s of a bare node:http server; `npm run bench`).
 * Anything else (HEAD, query strings, unknown topics, documents not cached yet) falls
 * through to fastify's routes, which give the same answer for the same document
 * (cached-response.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FeedFormat, FeedKind } from '../db/schema.ts';
import { cachedResponse } from './cached-response.ts';
import type { FeedCache } from './feed-cache.ts';

const FORMATS: Record<string, FeedFormat> = { 'rss.xml': 'rss', 'atom.xml': 'atom', 'feed.json': 'json' };

interface Route {
  topic: string;
  kind: FeedKind;
  format: FeedFormat;
  /** The WebSub Link header of the document, worked out once (null: no hubs). */
  link: string | null;
}

/** The WebSub `Link` header of a document (src/render/hub-links.ts), or null. */
export type DocumentLink = (topic: string, kind: FeedKind, format: FeedFormat) => string | null;

/** Every URL the fast path answers, with what it names: one Map look-up a request. */
function feedRoutes(topics: ReadonlySet<string>, link: DocumentLink): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const topic of topics) {
    for (const [file, format] of Object.entries(FORMATS)) {
      routes.set(`/topics/${topic}/${file}`, { topic, kind: 'feed', format, link: link(topic, 'feed', format) });
      routes.set(`/topics/${topic}/digest/${file}`, { topic, kind: 'digest', format, link: link(topic, 'digest', format) });
    }
  }
  return routes;
}

/**
 * Returns a handler that answers and returns true, or returns false and leaves the request
 * alone. `topics`: the slugs served, or a function giving the topics now (they change while
 * serving): the route map is rebuilt when it gives a new list, never per request.
 */
export function fastFeedHandler(
  feedCache: FeedCache,
  topics: ReadonlySet<string> | (() => readonly { slug: string }[]),
  link: DocumentLink = () => null,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  let routes = typeof topics === 'function' ? new Map<string, Route>() : feedRoutes(topics, link);
  let routed: readonly { slug: string }[] | undefined;
  const currentRoutes = () => {
    if (typeof topics !== 'function') return routes;
    const list = topics();
    if (list !== routed) {
      routed = list;
      routes = feedRoutes(new Set(list.map((t) => t.slug)), link);
    }
    return routes;
  };
  return (request, response) => {
    if (request.method !== 'GET' || request.url === undefined) return false;
    // A query string, or any other spelling of the path, is not in the map: fastify answers it.
    const route = currentRoutes().get(request.url);
    if (route === undefined) return false;
    const doc = feedCache.get(route.topic, route.kind, route.format);
    if (doc === undefined) return false;
    let answer: ReturnType<typeof cachedResponse>;
    try {
      answer = cachedResponse(doc, route.format, request.headers, route.link);
    } catch {
      return false; // fastify's route answers it, with its error handling
    }
    if (answer.body !== null) answer.headers['content-length'] = String(answer.body.length);
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body ?? undefined);
    return true;
  };
}
