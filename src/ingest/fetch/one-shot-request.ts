/**
 * One request that is not a feed fetch: a WebSub publish ping, an intent verification or a
 * content distribution (W3C WebSub, 2018). It goes through its own guarded agent, so the SSRF
 * guard judges the address exactly as for polls (guarded-agent.ts), under the same deadline,
 * and redirects are not followed: a hub or callback that moved answers with its status, which
 * the caller treats as a failure.
 */
import type { Dispatcher } from 'undici';
import { FeedError } from '../../errors.ts';
import { deadlineSignal } from './deadline-signal.ts';
import { deadlineError, transportError } from './error-mapping.ts';
import { createAgent } from './guarded-agent.ts';
import { discardBody } from './response-body.ts';
import { resolveSettings } from './settings.ts';
import type { FetcherOptions } from './types.ts';

/** The longest answer body read (a verification's echoed challenge); more is cut off. */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface OneShotRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

export interface OneShotResponse {
  status: number;
  /** At most MAX_ANSWER_BYTES of the answer, as UTF-8. */
  body: string;
}

export interface OneShotRequester {
  /** Rejects with a FeedError for a transport failure or the deadline (never for an HTTP status). */
  request(req: OneShotRequest): Promise<OneShotResponse>;
  close(): Promise<void>;
}

export function createOneShotRequester(
  options: Pick<FetcherOptions, 'timeoutMs' | 'userAgent' | 'allowPrivateNetworks' | 'lookup' | 'isAllowedAddress'>,
): OneShotRequester {
  const settings = resolveSettings({ ...options, maxBytes: MAX_ANSWER_BYTES, concurrency: 1, perHost: 1 });
  const agent = createAgent(settings);

  async function request(req: OneShotRequest): Promise<OneShotResponse> {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      throw new FeedError('network_error', `not a valid URL: ${req.url}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FeedError('network_error', `only http and https URLs are supported: ${req.url}`);
    const deadline = deadlineSignal(settings.timeoutMs, req.signal, `deadline of ${settings.timeoutMs} ms exceeded`);
    let response: Dispatcher.ResponseData | undefined;
    try {
      response = await agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers: { 'user-agent': settings.userAgent, ...req.headers },
        body: req.body,
        signal: deadline.signal,
      });
      return { status: response.statusCode, body: await readCapped(response.body) };
    } catch (error) {
      if (response) discardBody(response.body);
      if (req.signal?.aborted) throw req.signal.reason;
      if (error instanceof FeedError) throw error; // the SSRF guard's blocked_address, as polls get it
      throw deadline.deadlineHit ? deadlineError(url, settings.timeoutMs, error) : transportError(error, url, settings);
    } finally {
      deadline.dispose();
    }
  }

  return { request, close: () => agent.close() };
}

async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= MAX_ANSWER_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(parts).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
}
