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
 * - every failure mapped to one FeedErrorCode with a message an admin can act on.
 *
 * Cancellation: when the caller's `signal` aborts, fetchFeed rejects with that
 * signal's reason (an AbortError DOMException unless the caller gave another),
 * never with a FeedError: the fetch was cancelled, the feed did not fail, and
 * nothing should be recorded against the source. Only our own deadline and
 * timeouts produce FeedError('timeout').
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { STATUS_CODES } from 'node:http';
import { isIP, type LookupFunction } from 'node:net';
import { Readable, pipeline, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { FeedError, type FeedErrorCode } from '../errors.ts';
import { checkHostAddress, type AddressPolicy } from './fetch/address-guard.ts';
import { parseCacheHeaders, type CacheHeaders, type ResponseHeaders } from './fetch/cache-headers.ts';
import { createKeyedSemaphore, createSemaphore } from './concurrency.ts';
import { deadlineSignal } from './fetch/deadline-signal.ts';

export type { CacheHeaders } from './fetch/cache-headers.ts';

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

export interface FetchRequest {
  url: string;
  etag?: string | null;
  lastModified?: string | null;
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
    };

export interface Fetcher {
  fetchFeed(req: FetchRequest): Promise<FetchResult>;
  /** Closes idle keep-alive connections; waits for requests in flight. */
  close(): Promise<void>;
}

const DEFAULT_MAX_REDIRECTS = 5;
/** Upper bound for the connect, headers and body-idle timeouts. */
const MAX_PHASE_TIMEOUT_MS = 10_000;
/** Unread bodies (redirects, errors) up to this size are drained to keep the socket; larger ones are dropped. */
const DRAIN_LIMIT_BYTES = 64 * 1024;
/** More stacked codings than this is abuse (cf. CVE-2022-32206), not a feed. */
const MAX_CONTENT_CODINGS = 3;

const ACCEPT = 'application/rss+xml, application/atom+xml, application/feed+json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5';
const ACCEPT_ENCODING = 'gzip, deflate, br';

/** RFC 9110 §15.4: the statuses whose Location we follow. */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** RFC 9110 §15.4.2 / §15.4.9: redirects the client may remember. */
const PERMANENT_REDIRECT_STATUSES = new Set([301, 308]);
/** The 2xx answers that carry the representation we asked for (RFC 9110 §15.3). */
const SUCCESS_STATUSES = new Set([200, 203]);

export function createFetcher(options: FetcherOptions): Fetcher {
  const settings = resolveSettings(options);
  const agent = createAgent(settings);
  const globalSlots = createSemaphore(options.concurrency);
  const hostSlots = createKeyedSemaphore(options.perHost);

  async function fetchFeed(req: FetchRequest): Promise<FetchResult> {
    const url = parseRequestUrl(req.url);
    // Per-host first, then global: a request waiting for a busy host must not sit
    // on a global slot that requests to other hosts could use.
    const releaseHost = await hostSlots.acquire(url.hostname, req.signal);
    try {
      const releaseGlobal = await globalSlots.acquire(req.signal);
      try {
        return await fetchChain(agent, settings, url, req);
      } finally {
        releaseGlobal();
      }
    } finally {
      releaseHost();
    }
  }

  return {
    fetchFeed,
    close: () => agent.close(),
  };
}

// ---------------------------------------------------------------------------
// Agent and SSRF-guarded connector

interface Settings {
  timeoutMs: number;
  phaseTimeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  lookup: typeof dnsLookup;
  policy: AddressPolicy;
}

function resolveSettings(options: FetcherOptions): Settings {
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  for (const [name, value] of [['timeoutMs', options.timeoutMs], ['maxBytes', options.maxBytes]] as const) {
    if (!(Number.isSafeInteger(value) && value > 0)) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  if (!(Number.isInteger(maxRedirects) && maxRedirects >= 0)) {
    throw new RangeError(`maxRedirects must be a non-negative integer, got ${maxRedirects}`);
  }
  return {
    timeoutMs: options.timeoutMs,
    phaseTimeoutMs: Math.min(MAX_PHASE_TIMEOUT_MS, options.timeoutMs),
    maxBytes: options.maxBytes,
    maxRedirects,
    userAgent: options.userAgent,
    lookup: options.lookup ?? dnsLookup,
    policy: { allowPrivateNetworks: options.allowPrivateNetworks, isAllowedAddress: options.isAllowedAddress },
  };
}

function createAgent(settings: Settings): Agent {
  return new Agent({
    connect: createGuardedConnector(settings),
    headersTimeout: settings.phaseTimeoutMs,
    bodyTimeout: settings.phaseTimeoutMs, // an idle gap between chunks, not a total: the deadline covers that
    // Defence in depth behind our own streaming count (see readBody).
    maxResponseSize: settings.maxBytes,
  });
}

/**
 * undici's connector with the address check in front of it. Host names are
 * checked inside DNS resolution (the guarded lookup), so the socket connects to
 * exactly the addresses that were checked: no second resolution to rebind.
 * IP-literal hosts skip DNS, so they are checked here.
 */
function createGuardedConnector(settings: Settings): buildConnector.connector {
  const { policy } = settings;
  const connect = buildConnector({
    lookup: policy.allowPrivateNetworks ? settings.lookup : guardLookup(settings.lookup, policy),
    timeout: settings.phaseTimeoutMs,
  });
  if (policy.allowPrivateNetworks) return connect;
  return (options, callback) => {
    const host = stripBrackets(options.hostname);
    if (isIP(host) !== 0) {
      try {
        checkHostAddress(`${options.protocol}//${options.host ?? options.hostname}`, host, policy);
      } catch (error) {
        callback(error as Error, null);
        return;
      }
    }
    connect(options, callback);
  };
}

/**
 * Wraps a dns.lookup so every address it returns is checked. net.connect calls
 * it with `all: true` when it races IPv4 and IPv6 (autoSelectFamily, the Node 20
 * default): then every address must pass, so a name cannot smuggle a private
 * address in next to a public one.
 */
function guardLookup(lookup: typeof dnsLookup, policy: AddressPolicy): LookupFunction {
  type LooseCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;
  const looseLookup = lookup as unknown as (hostname: string, options: object, callback: LooseCallback) => void;
  return ((hostname: string, options: object, callback: LooseCallback) => {
    looseLookup(hostname, options, (error, address, family) => {
      if (error) {
        callback(error, address, family);
        return;
      }
      const addresses = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
      try {
        for (const candidate of addresses) checkHostAddress(hostname, candidate, policy, hostname);
      } catch (blocked) {
        callback(blocked as Error, address, family);
        return;
      }
      callback(null, address, family);
    });
  }) as unknown as LookupFunction;
}

function stripBrackets(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

// ---------------------------------------------------------------------------
// The request chain: hops, redirects, deadline

interface ChainState {
  url: URL;
  /** Status of every redirect followed so far. */
  redirectStatuses: number[];
  /** URLs requested so far, to recognise a loop before burning the redirect budget. */
  visited: string[];
}

type HopOutcome = { kind: 'redirect'; status: number; location: URL } | FetchResult;

async function fetchChain(agent: Agent, settings: Settings, startUrl: URL, req: FetchRequest): Promise<FetchResult> {
  const abort = linkDeadline(settings.timeoutMs, req.signal);
  try {
    return await runChain(agent, settings, startUrl, req, abort);
  } finally {
    abort.dispose();
  }
}

/** The chain's signal: the caller's signal plus the total deadline (deadline-signal.ts). */
interface ChainAbort {
  signal: AbortSignal;
  readonly deadlineHit: boolean;
  dispose(): void;
}

// One reason for every finished chain: a DOMException captures a stack trace when built,
// and building one per poll was ~4% of the main thread in an all-304 cycle (CPU profile).
const CHAIN_FINISHED = new DOMException('request chain finished', 'AbortError');

function linkDeadline(timeoutMs: number, callerSignal: AbortSignal | undefined): ChainAbort {
  const deadline = deadlineSignal(timeoutMs, callerSignal, `deadline of ${timeoutMs} ms exceeded`);
  return {
    signal: deadline.signal,
    get deadlineHit() {
      return deadline.deadlineHit;
    },
    // Also cuts off bodies still draining in the background (see discardBody), so a
    // server trickling an error page cannot hold a socket past the chain.
    dispose: () => deadline.dispose(CHAIN_FINISHED),
  };
}

async function runChain(
  agent: Agent,
  settings: Settings,
  startUrl: URL,
  req: FetchRequest,
  abort: ChainAbort,
): Promise<FetchResult> {
  const { signal } = abort;
  const state: ChainState = { url: startUrl, redirectStatuses: [], visited: [withoutFragment(startUrl)] };

  /** What to throw for `error`; `status` is the current hop's, once its response arrived. */
  const failure = (error: unknown, status?: number): unknown => {
    if (req.signal?.aborted && !(error instanceof FeedError)) return req.signal.reason; // cancelled, not failed
    let feedError: FeedError;
    if (error instanceof FeedError) feedError = error;
    else if (abort.deadlineHit) feedError = deadlineError(state.url, settings.timeoutMs, error);
    else feedError = transportError(error, state.url, settings);
    // Before a response (blocked address, DNS, connect...), say which redirect led
    // here; after one, record its status (HTTP errors already name their URL).
    if (status === undefined) return withRedirectContext(feedError, state);
    return feedError.details.status !== undefined
      ? feedError
      : new FeedError(feedError.code, feedError.message, { ...feedError.details, status });
  };

  for (;;) {
    const outcome = await fetchHop(agent, settings, state, req, signal, failure);
    if (outcome.kind !== 'redirect') return outcome;
    followRedirect(state, outcome, settings.maxRedirects);
  }
}

async function fetchHop(
  agent: Agent,
  settings: Settings,
  state: ChainState,
  req: FetchRequest,
  signal: AbortSignal,
  failure: (error: unknown, status?: number) => unknown,
): Promise<HopOutcome> {
  const { url } = state;
  let response: Dispatcher.ResponseData;
  try {
    response = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: requestHeaders(settings, req),
      signal,
    });
  } catch (error) {
    throw failure(error);
  }
  try {
    return await handleResponse(response, settings, state, isConditional(req));
  } catch (error) {
    discardBody(response.body);
    throw failure(error, response.statusCode);
  }
}

function requestHeaders(settings: Settings, req: FetchRequest): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': settings.userAgent,
    accept: ACCEPT,
    'accept-encoding': ACCEPT_ENCODING,
  };
  // RFC 9110 §13.1.1-§13.1.3. The validators are also sent on redirected hops:
  // they come from the final response of the previous poll, i.e. from the end of
  // this same chain.
  if (req.etag) headers['if-none-match'] = req.etag;
  if (req.lastModified) headers['if-modified-since'] = req.lastModified;
  return headers;
}

function isConditional(req: FetchRequest): boolean {
  return Boolean(req.etag || req.lastModified);
}

async function handleResponse(
  response: Dispatcher.ResponseData,
  settings: Settings,
  state: ChainState,
  conditional: boolean,
): Promise<HopOutcome> {
  const { statusCode: status, headers, body } = response;
  const url = state.url;

  if (REDIRECT_STATUSES.has(status)) {
    discardBody(body);
    return { kind: 'redirect', status, location: resolveLocation(headers, url, status) };
  }
  const permanentUrl = permanentUrlOf(state);
  if (status === 304 && conditional) {
    discardBody(body);
    return { kind: 'not_modified', status: 304, finalUrl: url.href, permanentUrl, headers: parseCacheHeaders(headers) };
  }
  if (!SUCCESS_STATUSES.has(status)) {
    discardBody(body);
    throw statusError(status, response.statusText, url, headers);
  }

  rejectDeclaredOversize(headers, url, settings.maxBytes);
  const codings = parseContentEncoding(headers, url);
  const { bytes, bytesReceived } = await readBody(body, codings, url, settings.maxBytes);
  return {
    kind: 'ok',
    status,
    finalUrl: url.href,
    permanentUrl,
    body: bytes,
    contentType: firstHeader(headers, 'content-type'),
    etag: firstHeader(headers, 'etag'),
    lastModified: firstHeader(headers, 'last-modified'),
    headers: parseCacheHeaders(headers),
    bytesReceived,
  };
}

/** The final URL when every hop was a permanent redirect (so the source's URL can be updated), else null. */
function permanentUrlOf(state: ChainState): string | null {
  const hops = state.redirectStatuses;
  if (hops.length === 0 || !hops.every((status) => PERMANENT_REDIRECT_STATUSES.has(status))) return null;
  return state.url.href;
}

function followRedirect(state: ChainState, redirect: { status: number; location: URL }, maxRedirects: number): void {
  const from = state.url;
  const target = withoutFragment(redirect.location);
  if (state.visited.includes(target)) {
    throw new FeedError('too_many_redirects', `redirect loop: ${[...state.visited, target].join(' → ')}`, {
      status: redirect.status,
    });
  }
  if (state.redirectStatuses.length >= maxRedirects) {
    throw new FeedError(
      'too_many_redirects',
      `more than ${maxRedirects} redirects starting at ${state.visited[0]} (last: HTTP ${redirect.status} from ${from.href} to ${redirect.location.href})`,
      { status: redirect.status },
    );
  }
  state.redirectStatuses.push(redirect.status);
  state.visited.push(target);
  state.url = redirect.location;
}

/** RFC 9110 §10.2.2: Location is a URI reference, resolved against the request URL. */
function resolveLocation(headers: ResponseHeaders, from: URL, status: number): URL {
  const location = firstHeader(headers, 'location');
  if (location === null || location.trim() === '') {
    throw new FeedError('bad_redirect', `HTTP ${status} from ${from.href} without a Location header`, { status });
  }
  let target: URL;
  try {
    target = new URL(location.trim(), from);
  } catch {
    throw new FeedError('bad_redirect', `HTTP ${status} from ${from.href} to an invalid URL: ${location}`, { status });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new FeedError(
      'bad_redirect',
      `HTTP ${status} from ${from.href} redirects to ${target.href}; only http and https redirects are followed`,
      { status },
    );
  }
  return target;
}

function parseRequestUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FeedError('network_error', `not a valid URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FeedError('network_error', `cannot fetch ${raw}: only http and https URLs are supported`);
  }
  return url;
}

function withoutFragment(url: URL): string {
  const copy = new URL(url.href);
  copy.hash = '';
  return copy.href;
}

// ---------------------------------------------------------------------------
// Bodies: size caps and decompression

type ContentCoding = 'gzip' | 'deflate' | 'br';

const CODING_ALIASES: Record<string, ContentCoding> = {
  gzip: 'gzip',
  'x-gzip': 'gzip', // RFC 9110 §8.4.1.3
  deflate: 'deflate',
  br: 'br',
};

/** RFC 9110 §8.4: the codings in the order they were applied ("identity" means none). */
function parseContentEncoding(headers: ResponseHeaders, url: URL): ContentCoding[] {
  const raw = headers['content-encoding'];
  const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  const names = value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '' && name !== 'identity');
  if (names.length > MAX_CONTENT_CODINGS) {
    throw new FeedError('bad_encoding', `response from ${url.href} stacks ${names.length} content codings (${value})`);
  }
  return names.map((name) => {
    const coding = CODING_ALIASES[name];
    if (coding === undefined) {
      throw new FeedError(
        'bad_encoding',
        `response from ${url.href} uses Content-Encoding "${name}", which Tidings cannot decode (it asks for ${ACCEPT_ENCODING})`,
      );
    }
    return coding;
  });
}

/** Rejects before reading when Content-Length already says the body is too large. */
function rejectDeclaredOversize(headers: ResponseHeaders, url: URL, maxBytes: number): void {
  const declared = Number(firstHeader(headers, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new FeedError(
      'too_large',
      `response from ${url.href} is ${formatBytes(declared)} (Content-Length), larger than ${formatBytes(maxBytes)} (maxBytes)`,
    );
  }
}

/**
 * Streams the body into memory, never holding more than about maxBytes: the
 * bytes on the wire are counted and so is the decompressed output, and the
 * first to pass maxBytes aborts the response (which closes its socket). A gzip
 * bomb therefore stops after inflating a little more than maxBytes.
 */
async function readBody(
  body: Readable,
  codings: readonly ContentCoding[],
  url: URL,
  maxBytes: number,
): Promise<{ bytes: Buffer; bytesReceived: number }> {
  let bytesReceived = 0;
  // Errors of the response stream itself (reset, timeout, wire-size cap), as
  // opposed to errors of the decoders: the latter mean a corrupt body.
  let sourceError: unknown;
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;

  async function nextChunk(): Promise<Buffer | null> {
    try {
      const { value, done } = await iterator.next();
      if (done) return null;
      bytesReceived += value.length;
      if (bytesReceived > maxBytes) {
        throw new FeedError('too_large', `response from ${url.href} is larger than ${formatBytes(maxBytes)} (maxBytes)`);
      }
      return value;
    } catch (error) {
      sourceError = error;
      throw error;
    }
  }

  async function* chunksFrom(first: Buffer): AsyncGenerator<Buffer> {
    yield first;
    for (let chunk = await nextChunk(); chunk !== null; chunk = await nextChunk()) yield chunk;
  }

  try {
    const first = await nextChunk();
    // An empty body needs no decoding (gunzip would call it truncated).
    if (first === null) return { bytes: Buffer.alloc(0), bytesReceived };
    const decoded = codings.length === 0 ? chunksFrom(first) : decode(chunksFrom(first), codings, first);
    const bytes = await collect(decoded, maxBytes, () => {
      return new FeedError(
        'too_large',
        `response from ${url.href} decompresses to more than ${formatBytes(maxBytes)} (maxBytes)`,
      );
    });
    return { bytes, bytesReceived };
  } catch (error) {
    if (error instanceof FeedError || error === sourceError) throw error;
    throw new FeedError(
      'bad_encoding',
      `response from ${url.href} is not valid ${codings.join(', ')} data (Content-Encoding): ${errorMessage(error)}`,
      { cause: error },
    );
  } finally {
    // Releases the socket if we stopped early; a no-op after a complete read.
    if (!body.destroyed) body.destroy();
  }
}

/** Undoes the codings, last applied first (RFC 9110 §8.4). */
function decode(source: AsyncGenerator<Buffer>, codings: readonly ContentCoding[], first: Buffer): AsyncIterable<Buffer> {
  const decoders = [...codings].reverse().map((coding, index) => createDecoder(coding, index === 0 ? first : null));
  const streams: Array<NodeJS.ReadableStream | NodeJS.ReadWriteStream> = [Readable.from(source, { objectMode: false }), ...decoders];
  // Errors of any stage destroy the last one, so iterating it rejects.
  return pipeline(streams, () => {}) as unknown as AsyncIterable<Buffer>;
}

function createDecoder(coding: ContentCoding, firstChunk: Buffer | null): Transform {
  switch (coding) {
    case 'gzip':
      return createGunzip();
    case 'br':
      return createBrotliDecompress();
    case 'deflate':
      // RFC 9110 §8.4.1.2 says zlib-wrapped, but some servers send raw deflate
      // (as browsers tolerate): tell them apart by the zlib header.
      return firstChunk === null || hasZlibHeader(firstChunk) ? createInflate() : createInflateRaw();
  }
}

/** RFC 1950 §2.2: CM = 8 (deflate) and CINFO <= 7 in the first byte; the header checksum needs the second. */
function hasZlibHeader(chunk: Buffer): boolean {
  const cmf = chunk[0];
  if (cmf === undefined || (cmf & 0x0f) !== 8 || cmf >> 4 > 7) return false;
  const flg = chunk[1];
  return flg === undefined || (cmf * 256 + flg) % 31 === 0;
}

async function collect(source: AsyncIterable<Buffer>, maxBytes: number, tooLarge: () => FeedError): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    parts.push(chunk);
  }
  return Buffer.concat(parts, size);
}

/**
 * Drops a body we will not read. A small one is drained so the keep-alive socket
 * can be reused; a large one is cut off (dump destroys it past the limit), and a
 * slow one when the chain ends or its deadline passes (ChainAbort).
 */
function discardBody(body: Dispatcher.ResponseData['body']): void {
  // Already closed, or already being read or drained.
  if (body.destroyed || body.readableEnded || body.readableFlowing !== null) return;
  body.dump({ limit: DRAIN_LIMIT_BYTES }).catch(() => {});
}

// ---------------------------------------------------------------------------
// Errors

function statusError(status: number, statusText: string, url: URL, headers: ResponseHeaders): FeedError {
  const reason = statusText || STATUS_CODES[status] || '';
  const base = `HTTP ${status}${reason ? ` ${reason}` : ''} from ${url.href}`;
  const code = statusCode(status);
  if (code === 'http_rate_limited' || status === 503) {
    const retryAfterSeconds = parseCacheHeaders(headers).retryAfterSeconds;
    if (retryAfterSeconds !== null) {
      return new FeedError(code, `${base}; retry after ${retryAfterSeconds} s`, { status, retryAfterSeconds });
    }
  }
  const hint = STATUS_HINTS[code];
  return new FeedError(code, hint ? `${base}: ${hint}` : base, { status });
}

const STATUS_HINTS: Partial<Record<FeedErrorCode, string>> = {
  http_gone: 'the feed was removed for good',
  http_unauthorized: 'the server refuses access (login or IP block?)',
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
  return (
    TLS_ERROR_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.startsWith('CERT_')
  );
}

/** Maps a transport failure (not an HTTP status) to a FeedError. */
function transportError(error: unknown, url: URL, settings: Settings): FeedError {
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

function deadlineError(url: URL, timeoutMs: number, cause: unknown): FeedError {
  return new FeedError('timeout', `no complete response from ${url.href} within ${timeoutMs} ms (polling.timeoutMs)`, {
    cause,
  });
}

/** Says which redirect led to a transport failure, e.g. a blocked internal address. */
function withRedirectContext(error: FeedError, state: ChainState): FeedError {
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

// ---------------------------------------------------------------------------
// Small helpers

function firstHeader(headers: ResponseHeaders, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

function errorMessage(error: unknown): string {
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
