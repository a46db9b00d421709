/**
 * Every failure of a request chain as one FeedError: HTTP statuses and transport
 * errors mapped to stable FeedErrorCodes, with a message an admin can act on.
 */
import { STATUS_CODES } from 'node:http';
import { FeedError, type FeedErrorCode } from '../../errors.ts';
import { refusalHint, type CredentialUse } from './basic-auth.ts';
import { parseCacheHeaders, type ResponseHeaders } from './cache-headers.ts';
import type { ChainState } from './redirects.ts';
import type { Settings } from './settings.ts';
import type { BasicCredentials } from './types.ts';

/** How the hop that got `status` used the source's credentials (for 401 and 403). */
export interface HopCredentials {
  use: CredentialUse;
  credentials?: BasicCredentials | undefined;
}

export function statusError(status: number, statusText: string, url: URL, headers: ResponseHeaders, hop: HopCredentials = { use: 'none' }): FeedError {
  const reason = statusText || STATUS_CODES[status] || '';
  const base = `HTTP ${status}${reason ? ` ${reason}` : ''} from ${url.href}`;
  const code = statusCode(status);
  if (code === 'http_rate_limited' || status === 503) {
    const retryAfterSeconds = parseCacheHeaders(headers).retryAfterSeconds;
    if (retryAfterSeconds !== null) {
      return new FeedError(code, `${base}; retry after ${retryAfterSeconds} s`, { status, retryAfterSeconds });
    }
  }
  const hint = status === 401 || status === 403 ? refusalHint(status, hop.use, hop.credentials, headers) : STATUS_HINTS[code];
  return new FeedError(code, hint ? `${base}: ${hint}` : base, { status });
}

const STATUS_HINTS: Partial<Record<FeedErrorCode, string>> = {
  http_gone: 'the feed was removed for good',
  http_unexpected_status: 'not a usable answer to a feed request',
};

function statusCode(status: number): FeedErrorCode {
  if (status === 404) return 'http_not_found';
  if (status === 410) return 'http_gone';
  if (status === 401 || status === 403) return 'http_unauthorized';
  if (status === 429) return 'http_rate_limited';
  if (status >= 400 && status <= 499) return 'http_client_error';
  if (status >= 500 && status <= 599) return 'http_server_error';
  return 'http_unexpected_status';
}

const ERROR_CODE_MAP: Record<string, FeedErrorCode> = {
  ENOTFOUND: 'dns_error',
  EAI_AGAIN: 'dns_error',
  EAI_FAIL: 'dns_error',
  EAI_NODATA: 'dns_error',
  EAI_NONAME: 'dns_error',
  ENODATA: 'dns_error',
  ESERVFAIL: 'dns_error',
  ECONNREFUSED: 'connection_refused',
  ECONNRESET: 'connection_reset',
  ECONNABORTED: 'connection_reset',
  EPIPE: 'connection_reset',
  UND_ERR_SOCKET: 'connection_reset', // "other side closed"
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'connection_reset', // body cut short
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'too_large',
};

const TLS_ERROR_CODES = new Set([
  'EPROTO',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'HOSTNAME_MISMATCH',
]);

function isTlsCode(code: string): boolean {
  return TLS_ERROR_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.startsWith('CERT_');
}

/** Maps a transport failure (not an HTTP status) to a FeedError. */
export function transportError(error: unknown, url: URL, settings: Settings): FeedError {
  const code = findErrorCode(error);
  const feedCode: FeedErrorCode = code === null ? 'network_error' : (ERROR_CODE_MAP[code] ?? (isTlsCode(code) ? 'tls_error' : 'network_error'));
  const message = transportMessage(feedCode, code, error, url, settings);
  return new FeedError(feedCode, message, { cause: error });
}

function transportMessage(feedCode: FeedErrorCode, code: string | null, error: unknown, url: URL, settings: Settings): string {
  const phase = settings.phaseTimeoutMs;
  switch (feedCode) {
    case 'dns_error':
      return `cannot resolve ${url.hostname} (${code}) for ${url.href}`;
    case 'connection_refused':
      return `connection refused by ${url.host} for ${url.href}`;
    case 'connection_reset':
      return `connection to ${url.host} closed or reset before the response to ${url.href} was complete`;
    case 'tls_error':
      return `TLS error with ${url.host} for ${url.href}: ${tlsReason(error)}`;
    case 'too_large':
      return `response from ${url.href} is larger than ${formatBytes(settings.maxBytes)} (maxBytes)`;
    case 'timeout':
      if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return `could not connect to ${url.host} within ${phase} ms for ${url.href}`;
      if (code === 'UND_ERR_HEADERS_TIMEOUT') return `no response headers from ${url.href} within ${phase} ms`;
      if (code === 'UND_ERR_BODY_TIMEOUT') return `${url.href} stopped sending its body for ${phase} ms`;
      return `timed out fetching ${url.href}`;
    default:
      return `network error fetching ${url.href}: ${errorMessage(error)}${code ? ` (${code})` : ''}`;
  }
}

/** "certificate has expired (CERT_HAS_EXPIRED)" rather than OpenSSL's multi-line dump. */
function tlsReason(error: unknown, depth = 0): string {
  if (depth > 5 || typeof error !== 'object' || error === null) return String(error);
  const { code, reason, message, cause } = error as { code?: unknown; reason?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && isTlsCode(code)) {
    const text = typeof reason === 'string' && reason !== '' ? reason : String(message ?? '').split('\n')[0];
    return `${text} (${code})`;
  }
  return cause === undefined ? errorMessage(error) : tlsReason(cause, depth + 1);
}

export function deadlineError(url: URL, timeoutMs: number, cause: unknown): FeedError {
  return new FeedError('timeout', `no complete response from ${url.href} within ${timeoutMs} ms (polling.timeoutMs)`, {
    cause,
  });
}

/** Says which redirect led to a transport failure, e.g. a blocked internal address. */
export function withRedirectContext(error: FeedError, state: ChainState): FeedError {
  if (state.redirectStatuses.length === 0) return error;
  return new FeedError(error.code, `${error.message} (redirected from ${state.visited[0]})`, error.details);
}

/**
 * The first error code that classifies the failure, looking through `cause`
 * chains and AggregateErrors (net's autoSelectFamily reports one per address).
 */
function findErrorCode(error: unknown, depth = 0): string | null {
  if (depth > 5 || typeof error !== 'object' || error === null) return null;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (code in ERROR_CODE_MAP || isTlsCode(code))) return code;
  const nested = [cause, ...(Array.isArray(errors) ? errors : [])];
  for (const inner of nested) {
    const found = findErrorCode(inner, depth + 1);
    if (found !== null) return found;
  }
  return typeof code === 'string' ? code : null;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** 10485760 → "10 MiB", 1536 → "1.5 KiB", 900 → "900 bytes". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, '');
  return `${rounded} ${units[unit]}`;
}
