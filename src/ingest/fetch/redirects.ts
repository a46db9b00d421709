/** Redirects: where a 3xx leads, how many are followed, loops, and when the new URL is permanent. */
import { FeedError } from '../../errors.ts';
import type { ResponseHeaders } from './cache-headers.ts';
import { firstHeader } from './response-headers.ts';

/** RFC 9110 §15.4: the statuses whose Location we follow. */
export const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** RFC 9110 §15.4.2 / §15.4.9: redirects the client may remember. */
const PERMANENT_REDIRECT_STATUSES = new Set([301, 308]);

export interface ChainState {
  url: URL;
  /** Status of every redirect followed so far. */
  redirectStatuses: number[];
  /** URLs requested so far, to recognise a loop before burning the redirect budget. */
  visited: string[];
}

/** The final URL when every hop was a permanent redirect (so the source's URL can be updated), else null. */
export function permanentUrlOf(state: ChainState): string | null {
  const hops = state.redirectStatuses;
  if (hops.length === 0 || !hops.every((status) => PERMANENT_REDIRECT_STATUSES.has(status))) return null;
  return state.url.href;
}

export function followRedirect(state: ChainState, redirect: { status: number; location: URL }, maxRedirects: number): void {
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
export function resolveLocation(headers: ResponseHeaders, from: URL, status: number): URL {
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
    throw new FeedError('bad_redirect', `HTTP ${status} from ${from.href} redirects to ${target.href}; only http and https redirects are followed`, { status });
  }
  return target;
}

export function withoutFragment(url: URL): string {
  const copy = new URL(url.href);
  copy.hash = '';
  return copy.href;
}
