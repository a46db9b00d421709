/** The fetch stage's public shapes: the options it is built with, a request in, a result out. */
import type { lookup as dnsLookup } from 'node:dns';
import type { CacheHeaders } from './cache-headers.ts';

export interface FetcherOptions {
  /** Total deadline per request chain (redirects included), in ms. Connect, headers and body-idle timeouts are min(10 s, timeoutMs). */
  timeoutMs: number;
  /** Cap on the body, compressed and decompressed: more is FeedError('too_large'). */
  maxBytes: number;
  userAgent: string;
  /** polling.allowPrivateNetworks: when false, only global unicast addresses are reached. */
  allowPrivateNetworks: boolean;
  /** Global cap on request chains in flight. */
  concurrency: number;
  /** Cap on request chains in flight per host name (of the requested URL). */
  perHost: number;
  /** Redirects followed before FeedError('too_many_redirects'). Default 5. */
  maxRedirects?: number;
  /** DNS lookup used by the connector; injectable for tests. Default: node:dns lookup. */
  lookup?: typeof dnsLookup;
  /**
   * Addresses allowed even when private networks are not (checked before the
   * public-address rule). Leave unset in production: it exists so tests can reach
   * one local test server while every other private address stays blocked.
   */
  isAllowedAddress?: (address: string) => boolean;
}

/** HTTP Basic credentials (RFC 7617) for the hops of a request chain that stay on `origin` (basic-auth.ts). */
export interface BasicCredentials {
  username: string;
  password: string;
  /** The origin they belong to (scheme://host:port, as URL.origin gives it): no other origin receives them. */
  origin: string;
}

export interface FetchRequest {
  url: string;
  etag?: string | null;
  lastModified?: string | null;
  /** Sent preemptively on every hop to their origin, never to another (redirects included). */
  credentials?: BasicCredentials | undefined;
  /** Aborting it rejects fetchFeed with the signal's reason (not a FeedError). */
  signal?: AbortSignal;
}

export type FetchResult =
  | { kind: 'not_modified'; status: 304; finalUrl: string; permanentUrl: string | null; headers: CacheHeaders }
  | {
      kind: 'ok';
      status: number;
      finalUrl: string;
      permanentUrl: string | null;
      body: Buffer;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      headers: CacheHeaders;
      /** Body bytes read from the network (before decompression). */
      bytesReceived: number;
      /** The values of the Link header (RFC 8288), as sent: WebSub discovery reads rel="hub" and rel="self" there (W3C WebSub §4). */
      links: string[];
    };

export interface Fetcher {
  fetchFeed(req: FetchRequest): Promise<FetchResult>;
  /** Closes idle keep-alive connections; waits for requests in flight. */
  close(): Promise<void>;
}
