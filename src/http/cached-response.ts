/**
 * The response to a request for a cached feed document: headers, 304 or the body in the
 * best coding the client accepts. Pure, so the fastify route and the raw fast path
 * (fast-feeds.ts) answer the same bytes and headers.
 */
import type { FeedFormat } from '../db/schema.ts';
import { FEED_CONTENT_TYPES } from '../render/feed-formats.ts';
import { isNotModified, preferredEncoding, representationEtag } from './conditional.ts';
import { compressed, type CachedDocument } from './feed-cache.ts';

// Readers may reuse a copy for 5 minutes, then revalidate cheaply with the ETag.
export const CACHE_CONTROL = 'public, max-age=300';

export interface CachedResponse {
  status: 200 | 304;
  headers: Record<string, string>;
  /** Null for a 304. */
  body: Buffer | null;
}

/** The HTTP-date of a document's Last-Modified, formatted once per document, not per request. */
const httpDates = new WeakMap<Date, string>();
function httpDate(date: Date): string {
  let text = httpDates.get(date);
  if (text === undefined) {
    text = date.toUTCString();
    httpDates.set(date, text);
  }
  return text;
}

export function cachedResponse(
  doc: CachedDocument,
  format: FeedFormat,
  request: { 'accept-encoding'?: string | undefined; 'if-none-match'?: string | undefined; 'if-modified-since'?: string | undefined },
  /** The WebSub `Link` header (src/render/hub-links.ts), when the document names hubs. */
  link: string | null = null,
): CachedResponse {
  const encoding = preferredEncoding(request['accept-encoding']);
  const etag = representationEtag(doc.etag, encoding);
  // A 304 carries the fields a cache updates its copy with: ETag, Cache-Control and Vary
  // (RFC 9110 §15.4.5; node adds Date), and no other representation metadata.
  if (isNotModified(request, doc.etag, doc.lastModified))
    return { status: 304, headers: { etag, 'cache-control': CACHE_CONTROL, vary: 'Accept-Encoding' }, body: null };
  const headers: Record<string, string> = {
    'content-type': FEED_CONTENT_TYPES[format],
    etag,
    'last-modified': httpDate(doc.lastModified),
    'cache-control': CACHE_CONTROL,
    vary: 'Accept-Encoding',
  };
  if (link !== null) headers.link = link;
  if (encoding === 'identity') return { status: 200, headers, body: doc.body };
  headers['content-encoding'] = encoding;
  return { status: 200, headers, body: compressed(doc, encoding) };
}
