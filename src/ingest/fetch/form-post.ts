/**
 * One POST of a form (application/x-www-form-urlencoded) to a WebSub hub (W3C WebSub §5.1:
 * subscribe and unsubscribe requests), on the fetcher's guarded agent: the same SSRF guard,
 * deadline and user agent as a feed request. Redirects are not followed (a hub answers the
 * request itself; §5.1.2 asks for 202 Accepted). Only the start of an answer's body is read,
 * for the error message a failed request records.
 */
import type { Agent } from 'undici';
import { FeedError } from '../../errors.ts';
import { deadlineSignal } from './deadline-signal.ts';
import { deadlineError, transportError } from './error-mapping.ts';
import type { Settings } from './settings.ts';
import type { FormPostRequest, FormPostResult } from './types.ts';

/** Enough of a hub's answer to say why it refused. */
const ANSWER_TEXT_LIMIT = 500;

export async function postForm(agent: Agent, settings: Settings, req: FormPostRequest): Promise<FormPostResult> {
  const url = new URL(req.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new FeedError('network_error', `cannot post to ${req.url}: only http and https URLs are supported`);
  const deadline = deadlineSignal(settings.timeoutMs, req.signal, `deadline of ${settings.timeoutMs} ms exceeded`);
  try {
    const response = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: { 'user-agent': settings.userAgent, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(req.form).toString(),
      signal: deadline.signal,
    });
    return { status: response.statusCode, text: await answerText(response.body) };
  } catch (error) {
    if (req.signal?.aborted) throw req.signal.reason;
    throw deadline.deadlineHit ? deadlineError(url, settings.timeoutMs, error) : transportError(error, url, settings);
  } finally {
    deadline.dispose();
  }
}

async function answerText(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    length += chunk.length;
    if (length >= ANSWER_TEXT_LIMIT) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, ANSWER_TEXT_LIMIT).toString('utf8').trim();
}
