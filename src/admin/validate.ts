/** Checks shared by the admin use-cases: feed URLs and topic slugs. */
import type { AdminContext } from './context.ts';
import { AdminError } from './errors.ts';

const MAX_URL_LENGTH = 2048;

/**
 * An absolute http(s) URL without credentials, in its normalized form (what is stored
 * and compared), fragment removed. Where the URL points is not judged here: the
 * fetcher's SSRF guard judges the address it actually connects to.
 */
export function parseFeedUrl(raw: string): string {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AdminError('invalid', 'invalid_url', `not an absolute URL: "${text.slice(0, 200)}" (expected e.g. https://example.org/feed.xml)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AdminError('invalid', 'invalid_url', `only http and https URLs can be polled, not ${url.protocol}`);
  }
  if (url.hostname === '') throw new AdminError('invalid', 'invalid_url', `the URL has no host: ${text}`);
  if (url.username !== '' || url.password !== '') {
    throw new AdminError('invalid', 'invalid_url', 'URLs with a user name or password are not supported');
  }
  if (text.length > MAX_URL_LENGTH) throw new AdminError('invalid', 'invalid_url', `the URL is longer than ${MAX_URL_LENGTH} characters`);
  url.hash = '';
  return url.href;
}

/** The slugs, deduplicated, each one a configured topic. */
export function checkTopics(ctx: Pick<AdminContext, 'topics'>, slugs: readonly string[]): string[] {
  const known = new Set(ctx.topics.map((t) => t.slug));
  const unknown = slugs.filter((slug) => !known.has(slug));
  if (unknown.length > 0) {
    const list = [...known].join(', ') || 'none are configured';
    throw new AdminError('unprocessable', 'unknown_topic', `unknown topic ${unknown.map((s) => `"${s}"`).join(', ')} (topics: ${list})`);
  }
  return [...new Set(slugs)];
}
