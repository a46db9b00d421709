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

const FEED_PATH = /^\/topics\/([a-z0-9-]+)\/(?:(digest)\/)?(rss\.xml|atom\.xml|feed\.json)$/;
const FORMATS: Record<string, FeedFormat> = { 'rss.xml': 'rss', 'atom.xml': 'atom', 'feed.json': 'json' };

/** Returns a handler that answers and returns true, or returns false and leaves the request alone. */
export function fastFeedHandler(feedCache: FeedCache, topics: ReadonlySet<string>): (request: IncomingMessage, response: ServerResponse) => boolean {
  return (request, response) => {
    if (request.method !== 'GET' || request.url === undefined) return false;
    const match = FEED_PATH.exec(request.url);
    if (match === null || !topics.has(match[1]!)) return false;
    const kind: FeedKind = match[2] === undefined ? 'feed' : 'digest';
    const format = FORMATS[match[3]!]!;
    const doc = feedCache.get(match[1]!, kind, format);
    if (doc === undefined) return false;
    let answer;
    try {
      answer = cachedResponse(doc, format, request.headers);
    } catch {
      return false; // fastify's route answers it, with its error handling
    }
    if (answer.body !== null) answer.headers['content-length'] = String(answer.body.length);
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body ?? undefined);
    return true;
  };
}
