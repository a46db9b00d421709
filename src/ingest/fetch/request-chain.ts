/**
 * The request chain: one hop after another until a final answer, under one total
 * deadline; each hop sends the conditional-request validators and turns the
 * response into a redirect to follow, a 304, a body, or a FeedError.
 */
import type { Agent, Dispatcher } from 'undici';
import { FeedError } from '../../errors.ts';
import { authorizationHeader, credentialUse } from './basic-auth.ts';
import { parseCacheHeaders } from './cache-headers.ts';
import { deadlineSignal } from './deadline-signal.ts';
import { deadlineError, statusError, transportError, withRedirectContext, type HopCredentials } from './error-mapping.ts';
import { followRedirect, permanentUrlOf, REDIRECT_STATUSES, resolveLocation, withoutFragment, type ChainState } from './redirects.ts';
import { ACCEPT_ENCODING, discardBody, parseContentEncoding, readBody, rejectDeclaredOversize } from './response-body.ts';
import { allHeaders, firstHeader } from './response-headers.ts';
import type { Settings } from './settings.ts';
import type { FetchRequest, FetchResult } from './types.ts';

const ACCEPT = 'application/rss+xml, application/atom+xml, application/feed+json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5';
/** The 2xx answers that carry the representation we asked for (RFC 9110 §15.3). */
const SUCCESS_STATUSES = new Set([200, 203]);

type HopOutcome = { kind: 'redirect'; status: number; location: URL } | FetchResult;

export async function fetchChain(agent: Agent, settings: Settings, startUrl: URL, req: FetchRequest): Promise<FetchResult> {
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
    // Also cuts off bodies still draining in the background (see discardBody in response-body.ts), so a
    // server trickling an error page cannot hold a socket past the chain.
    dispose: () => deadline.dispose(CHAIN_FINISHED),
  };
}

async function runChain(agent: Agent, settings: Settings, startUrl: URL, req: FetchRequest, abort: ChainAbort): Promise<FetchResult> {
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
    return feedError.details.status !== undefined ? feedError : new FeedError(feedError.code, feedError.message, { ...feedError.details, status });
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
  // Judged hop by hop: a redirect to another origin gets no Authorization header.
  const hop: HopCredentials = { use: credentialUse(req.credentials, url), credentials: req.credentials };
  let response: Dispatcher.ResponseData;
  try {
    response = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: requestHeaders(settings, req, hop),
      signal,
    });
  } catch (error) {
    throw failure(error);
  }
  try {
    return await handleResponse(response, settings, state, isConditional(req), hop);
  } catch (error) {
    discardBody(response.body);
    throw failure(error, response.statusCode);
  }
}

function requestHeaders(settings: Settings, req: FetchRequest, hop: HopCredentials): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': settings.userAgent,
    accept: ACCEPT,
    'accept-encoding': ACCEPT_ENCODING,
  };
  // Preemptive (RFC 7617 §2): a feed behind Basic auth answers 401 to every request without it.
  if (hop.use === 'sent') headers.authorization = authorizationHeader(req.credentials!);
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
  hop: HopCredentials,
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
    throw statusError(status, response.statusText, url, headers, hop);
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
    links: allHeaders(headers, 'link'),
  };
}
