/**
 * The fetch stage: one conditional GET of a feed URL, with everything a poller
 * needs to be a good citizen and to stay safe:
 *
 * - undici `request()` on one keep-alive Agent; redirects followed here, hop by
 *   hop, so every status is known (a chain of only 301/308 yields `permanentUrl`);
 * - an SSRF guard inside the connector, so it judges the address of every
 *   connection, redirect targets included (see address-guard.ts);
 * - a total deadline per request chain plus connect/headers/body-idle timeouts;
 * - a size cap on the body, compressed and decompressed, enforced while streaming;
 * - a global and a per-host cap on requests in flight;
 * - a source's Basic credentials sent only to their own origin, never across a redirect
 *   to another one (basic-auth.ts);
 * - every failure mapped to one FeedErrorCode with a message an admin can act on.
 *
 * Cancellation: when the caller's `signal` aborts, fetchFeed rejects with that
 * signal's reason (an AbortError DOMException unless the caller gave another),
 * never with a FeedError: the fetch was cancelled, the feed did not fail, and
 * nothing should be recorded against the source. Only our own deadline and
 * timeouts produce FeedError('timeout').
 */
export { createFetcher } from './fetcher.ts';
export { createOneShotRequester, type OneShotRequest, type OneShotRequester, type OneShotResponse } from './one-shot-request.ts';
export type { BasicCredentials, Fetcher, FetcherOptions, FetchRequest, FetchResult } from './types.ts';
export type { CacheHeaders } from './cache-headers.ts';
