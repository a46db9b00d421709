/**
 * How a phrase is found in a text, shared by the topic rules (src/ingest/classify.ts) and
 * search (search-query.ts) so both agree (docs/architecture.md § feeds.config.json):
 * case-insensitively on word boundaries, except phrases in scripts that do not separate
 * words by spaces or that glue particles to words (Hangul, Han, Kana), which match as
 * substrings: 북한 must match 북한의 and 北朝鮮は.
 */

/** Hangul, Han and Kana: phrases holding any of them match as substrings. */
export const SUBSTRING_SCRIPTS = /[\p{Script=Hangul}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
// Letters, digits and combining marks are "word" characters on both sides of a phrase.
const BEFORE = '(?<![\\p{L}\\p{N}\\p{M}])';
const AFTER = '(?![\\p{L}\\p{N}\\p{M}])';
// Spaces and hyphens in a phrase match any run of whitespace or dashes:
// "kim jong un" matches "Kim Jong-un" and "Kim\nJong Un".
const SEPARATOR = '[\\s\\-\u2010\u2011\u2012\u2013\u2014]+';
/** What SEPARATOR stands for when splitting a phrase into its words. */
export const PHRASE_SEPARATORS = /[\s\-\u2010-\u2014]+/;

export function normalizeText(text: string): string {
  // NFKC folds full-width Latin and compatibility forms so "ＤＭＺ" matches "dmz".
  return text.normalize('NFKC').toLowerCase();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The regular expression source matching `raw` in a normalizeText'ed text. */
export function phraseSource(raw: string): string {
  const phrase = normalizeText(raw.trim());
  const body = phrase.split(PHRASE_SEPARATORS).map(escapeRegExp).join(SEPARATOR);
  return SUBSTRING_SCRIPTS.test(phrase) ? body : `${BEFORE}${body}${AFTER}`;
}

/** The fields of an item phrases are looked for in; `contentText` is the content as plain text. */
export interface MatchableFields {
  title: string;
  summary: string;
  categories: readonly string[];
  contentText: string;
}

/** The one normalized text phrases are matched against (a phrase may run from one field into the next). */
export function matchableText(item: MatchableFields): string {
  return normalizeText([item.title, item.summary, item.categories.join('\n'), item.contentText].join('\n'));
}
