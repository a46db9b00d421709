/**
 * When Tidings starts each request, seen from inside its process: undici publishes every
 * request it creates on a diagnostics channel (undici:request:create). Per-host spacing is
 * checked on these starts, which Tidings controls, rather than on arrivals at the publisher,
 * which also carry connection set-up and the machine's scheduling.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';

export interface RequestStart {
  host: string;
  path: string;
  /** performance.now() at creation. */
  ms: number;
  /** The next hop of a redirect: part of the request chain before it. */
  hop: boolean;
}

interface UndiciRequest {
  origin: string;
  path: string;
}

/** Records the starts of requests to hosts `isPublisher` accepts (not, say, the test's own requests to the service). */
export function recordRequestStarts(isPublisher: (host: string) => boolean): { starts: RequestStart[]; stop(): void } {
  const starts: RequestStart[] = [];
  const redirected = new Set<string>();
  const onCreate = (message: unknown) => {
    const { request } = message as { request: UndiciRequest };
    const host = new URL(request.origin).hostname;
    if (!isPublisher(host)) return;
    starts.push({ host, path: request.path, ms: performance.now(), hop: redirected.delete(host) });
  };
  const onHeaders = (message: unknown) => {
    const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
    // The redirect interceptor starts the next hop as soon as it has these headers.
    if (response.statusCode >= 300 && response.statusCode < 400) redirected.add(new URL(request.origin).hostname);
  };
  subscribe('undici:request:create', onCreate);
  subscribe('undici:request:headers', onHeaders);
  return {
    starts,
    stop() {
      unsubscribe('undici:request:create', onCreate);
      unsubscribe('undici:request:headers', onHeaders);
    },
  };
}
