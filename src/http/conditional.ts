/** Content negotiation and conditional requests for cached documents (RFC 9110 §12.5.3, §13). */
import type { Encoding } from './feed-cache.ts';

/** The best coding the client accepts: br, then gzip, else identity. */
export function preferredEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return 'identity';
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(name!, q === undefined ? 1 : Number(q.slice(2)) || 0);
  }
  const allows = (coding: string) => (accepted.get(coding) ?? accepted.get('*') ?? 0) > 0;
  if (allows('br')) return 'br';
  if (allows('gzip') || (accepted.get('x-gzip') ?? 0) > 0) return 'gzip';
  return 'identity';
}

/** Our ETag for one coding of a document: a distinct tag per representation (RFC 9110 §8.8.3). */
export function representationEtag(etag: string, encoding: Encoding): string {
  return encoding === 'identity' ? etag : `${etag.slice(0, -1)}-${encoding}"`;
}

function opaqueTag(tag: string): string {
  // Weak comparison (RFC 9110 §8.8.3.2), and any coding of the same document matches.
  return tag.replace(/^W\//, '').replace(/-(?:br|gzip)"$/, '"');
}

/**
 * True when the client's copy is current: If-None-Match (weak comparison) when present,
 * else If-Modified-Since against Last-Modified (RFC 9110 §13.2.2 order of evaluation).
 */
export function isNotModified(
  headers: { 'if-none-match'?: string | undefined; 'if-modified-since'?: string | undefined },
  etag: string,
  lastModified: Date,
): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    // A reader sends back the tag it was given: answer that, the common case, without parsing.
    if (ifNoneMatch === etag) return true;
    if (ifNoneMatch.trim() === '*') return true;
    return ifNoneMatch.split(',').some((tag) => opaqueTag(tag.trim()) === opaqueTag(etag));
  }
  const since = headers['if-modified-since'];
  if (since === undefined) return false;
  const date = Date.parse(since);
  return !Number.isNaN(date) && lastModified.getTime() <= date;
}
