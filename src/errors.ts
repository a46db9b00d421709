/**
 * The closed set of reasons a poll of one source can fail. The code is stored on
 * the source row (sources.error_code) and shown to admins, so it must stay stable:
 * add codes, never rename them.
 */
export const FEED_ERROR_CODES = [
  'dns_error', // the host name does not resolve
  'connection_refused',
  'connection_reset',
  'timeout', // connect, headers, body idle gap or total deadline exceeded
  'tls_error',
  'blocked_address', // SSRF guard: the address is loopback/private/link-local/… and private networks are not allowed
  'too_many_redirects',
  'bad_redirect', // a redirect without a usable Location, or to a non-http(s) URL
  'http_not_found', // 404
  'http_gone', // 410: the source is disabled
  'http_unauthorized', // 401 / 403: the feed asks for credentials, or refused the ones sent
  'http_rate_limited', // 429
  'http_client_error', // any other 4xx
  'http_server_error', // 5xx
  'http_unexpected_status', // 1xx/2xx/3xx that is not a usable answer
  'too_large', // body exceeds polling.maxBytes (compressed or decompressed)
  'bad_encoding', // Content-Encoding we cannot decompress, or a corrupt compressed body
  'undecodable', // the bytes cannot be turned into text
  'not_a_feed', // well-formed, but HTML or another document instead of RSS, Atom or JSON Feed
  'malformed_xml', // not well-formed XML
  'malformed_json', // starts like JSON but is not valid JSON (RFC 8259)
  'network_error', // any other transport failure
  'internal_error', // a bug on our side: logged with a stack trace
  'missing_credentials', // the source's auth.passwordEnv variable is not set in this process: nothing was fetched
] as const;

export type FeedErrorCode = (typeof FEED_ERROR_CODES)[number];

/** A failure of one poll, with a stable code and a message an admin can act on. */
export class FeedError extends Error {
  override readonly name = 'FeedError';
  constructor(
    readonly code: FeedErrorCode,
    message: string,
    readonly details: {
      /** HTTP status of the final response, when there was one. */
      status?: number;
      /** Seconds from Retry-After on 429/503, when present and valid. */
      retryAfterSeconds?: number;
      /** Feed URLs an HTML page advertises with <link rel="alternate">. */
      alternates?: string[];
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }
}

/** A configuration or usage problem: printed as one line, exits non-zero. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
