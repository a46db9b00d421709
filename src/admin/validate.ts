/**
 * The rules for what an admin may send, in one place: the use-cases (add-source.ts,
 * manage-sources.ts, opml.ts, topic-preview.ts) check their input here, so the API, the
 * admin page and the CLI accept and refuse exactly the same values with the same
 * messages. The HTTP layer only checks the shape of a body (which fields, which types).
 *
 * Text is refused, not repaired, when it holds a control character (C0, DEL, C1: none
 * belongs in a title, URL or phrase, and PostgreSQL cannot store NUL at all) or a lone
 * UTF-16 surrogate (it has no UTF-8 form and would be stored as U+FFFD).
 */
import type { AdminContext } from './context.ts';
import { ruleProblem } from '../text/topic-rules.ts';
import { AdminError } from './errors.ts';

export const LIMITS = {
  urlLength: 2048,
  titleLength: 300,
  descriptionLength: 1000,
  topics: 50,
  phrases: 200,
  phraseLength: 200,
  /** Poll interval override: a minute to 30 days. */
  pollIntervalSeconds: { min: 60, max: 30 * 86_400 },
  previewDays: { min: 1, max: 90 },
} as const;

const UNSAFE = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What is wrong with the text's characters ("a control character (U+0000) at position 3"), or null. */
export function unsafeCharacter(text: string): string | null {
  const match = UNSAFE.exec(text);
  if (!match) return null;
  const code = `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  const kind = match[0].charCodeAt(0) >= 0xd800 ? 'a lone surrogate, which is not a character' : 'a control character';
  return `${kind} (${code}) at position ${match.index + 1}`;
}

/** The text, trimmed, or an AdminError naming `what` and the problem. */
export function checkText(raw: string, what: string, code: string, maxLength: number, hint: string): string {
  // Trimmed first: a pasted value's trailing newline is not worth refusing.
  const text = raw.trim();
  const problem = unsafeCharacter(text);
  if (problem !== null) throw new AdminError('invalid', code, `${what} contains ${problem}; ${hint}`);
  if (text.length > maxLength) throw new AdminError('invalid', code, `${what} is longer than ${maxLength} characters (${text.length}); shorten it`);
  return text;
}

/**
 * An absolute http(s) URL without credentials, in its normalized form (what is stored
 * and compared), fragment removed. Where the URL points is not judged here: the
 * fetcher's SSRF guard judges the address it actually connects to.
 */
export function parseFeedUrl(raw: string): string {
  const text = checkText(raw, 'the URL', 'invalid_url', LIMITS.urlLength, 'percent-encode it (e.g. %00) if the feed URL really has one');
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
  url.hash = '';
  // Normalizing percent-encodes: a URL at the limit may grow past it.
  if (url.href.length > LIMITS.urlLength) throw new AdminError('invalid', 'invalid_url', `the URL is longer than ${LIMITS.urlLength} characters`);
  return url.href;
}

/** A source title, trimmed; empty or null means none (null). */
export function checkTitle(raw: string | null): string | null {
  if (raw === null) return null;
  return checkText(raw, 'the title', 'invalid_title', LIMITS.titleLength, 'a title is one line of plain text') || null;
}

/** The slugs, deduplicated, each one a configured topic. */
export function checkTopics(ctx: Pick<AdminContext, 'topics'>, slugs: readonly string[]): string[] {
  if (slugs.length > LIMITS.topics) throw new AdminError('invalid', 'invalid_topics', `at most ${LIMITS.topics} topics, not ${slugs.length}`);
  for (const slug of slugs) checkText(slug, 'a topic', 'invalid_topics', 100, 'topics are named by their slug, e.g. "korea"');
  const known = new Set(ctx.topics.current().bySlug.keys());
  const unknown = slugs.filter((slug) => !known.has(slug));
  if (unknown.length > 0) {
    const list = [...known].join(', ') || 'none are configured';
    throw new AdminError('unprocessable', 'unknown_topic', `unknown topic ${unknown.map((s) => `"${s}"`).join(', ')} (topics: ${list})`);
  }
  return [...new Set(slugs)];
}

/** An admin's poll interval override in seconds; null clears it, undefined leaves it. */
export function checkPollInterval<T extends number | null | undefined>(seconds: T): T {
  if (seconds === undefined || seconds === null) return seconds;
  const { min, max } = LIMITS.pollIntervalSeconds;
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    throw new AdminError(
      'invalid',
      'invalid_interval',
      `the poll interval must be a whole number of minutes from 1 to 43200 (30 days), in the API of seconds from ${min} to ${max}`,
    );
  }
  return seconds;
}

/** Topic rules (`field`: include or exclude), trimmed; none may be empty or fail to read (src/text/topic-rules.ts). */
export function checkPhrases(field: string, phrases: readonly string[] | undefined): string[] | undefined {
  if (phrases === undefined) return undefined;
  if (phrases.length > LIMITS.phrases) throw new AdminError('invalid', 'invalid_phrases', `${field}: at most ${LIMITS.phrases} phrases, not ${phrases.length}`);
  return phrases.map((raw, i) => {
    const phrase = checkText(raw, `${field} phrase ${i + 1}`, 'invalid_phrases', LIMITS.phraseLength, 'a phrase is plain text');
    if (phrase === '') throw new AdminError('invalid', 'invalid_phrases', `${field} phrase ${i + 1} is empty`);
    const problem = ruleProblem(phrase);
    if (problem !== null)
      throw new AdminError('invalid', 'invalid_phrases', `${field} phrase ${i + 1} is not a rule: ${problem} (e.g. "seoul" or title:"north korea")`);
    return phrase;
  });
}

export function checkPreviewDays(days: number | undefined): number | undefined {
  const { min, max } = LIMITS.previewDays;
  if (days !== undefined && (!Number.isInteger(days) || days < min || days > max)) {
    throw new AdminError('invalid', 'invalid_days', `days is a whole number from ${min} to ${max}, not ${days}`);
  }
  return days;
}

/** A source id: a positive whole number (so the database is never asked about 1e20 or 1.5). */
export function checkSourceId(id: number): number {
  if (!Number.isSafeInteger(id) || id < 1) throw new AdminError('invalid', 'invalid_id', `a source id is a positive whole number, not ${id}`);
  return id;
}

// -- Story curation (story-curation.ts, story-view.ts) ------------------------------------------

export const CURATION_LIMITS = {
  /** Stories one merge takes. */
  mergeStories: 20,
  /** Stories a page of a topic's list shows (default 50). */
  storyPage: { default: 50, max: 200 },
  /** Curation log entries one read returns (default 50). */
  logEntries: { default: 50, max: 500 },
} as const;

/** A story or item id (`what`: "a story id"): a positive whole number. */
export function checkRecordId(id: unknown, what: string): number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1)
    throw new AdminError(
      'invalid',
      'invalid_id',
      `${what} is a positive whole number, not ${typeof id === 'number' ? String(id) : (JSON.stringify(id) ?? String(id))}`,
    );
  return id;
}

/** The stories of a merge: two or more distinct ids. */
export function checkMergeIds(ids: readonly unknown[]): number[] {
  const max = CURATION_LIMITS.mergeStories;
  if (ids.length < 2 || ids.length > max) throw new AdminError('invalid', 'invalid_story_ids', `a merge takes 2 to ${max} story ids, not ${ids.length}`);
  const checked = ids.map((id) => checkRecordId(id, 'a story id'));
  if (new Set(checked).size !== checked.length) throw new AdminError('invalid', 'invalid_story_ids', 'a story id is given twice');
  return checked;
}

/** A page size: undefined takes the default. */
export function checkPageLimit(limit: number | undefined, bounds: { default: number; max: number }): number {
  if (limit === undefined) return bounds.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > bounds.max)
    throw new AdminError('invalid', 'invalid_limit', `limit is a whole number from 1 to ${bounds.max}, not ${limit}`);
  return limit;
}
