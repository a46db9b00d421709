/**
 * The tokens an item is indexed under for search (items.search_tokens, GIN-indexed; built
 * at ingest by src/store/items.ts and for older items by migration 2026-12-04T01-00).
 * Plain arrays and a GIN index work alike on PostgreSQL and PGlite, which lacks pg_trgm.
 *
 * The index only narrows the candidates; search-query.ts then checks each with the exact
 * phrase rules of phrase-match.ts. So the one property that matters: whenever a phrase
 * matches a text, every token of the phrase (phraseTokens) is among the text's tokens.
 * - A word-boundary phrase (no Hangul, Han or Kana) gives its maximal runs of letters,
 *   digits and marks; where it matches, each of those runs is a maximal run of the text
 *   too, since the phrase's boundaries and inner separators are non-word characters there.
 * - A substring phrase (Hangul, Han, Kana) gives the characters and adjacent pairs of its
 *   runs of those scripts, which occur as such inside the matching text's runs.
 * Runs are cut at MAX_TOKEN_CHARS on both sides alike, so a long word is found by its head.
 */
import { normalizeText, PHRASE_SEPARATORS, SUBSTRING_SCRIPTS } from './phrase-match.ts';

export const MAX_TOKEN_CHARS = 32;

const SUBSTRING_CLASS = '\\p{Script=Hangul}\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}';
/** One pass: a run of Hangul/Han/Kana (group 1), or a run of other letters, digits and marks (group 2). */
const RUNS = new RegExp(`([${SUBSTRING_CLASS}]+)|([[\\p{L}\\p{N}\\p{M}]--[${SUBSTRING_CLASS}]]+)`, 'gv');

function headOf(run: string): string {
  if (run.length <= MAX_TOKEN_CHARS) return run;
  return Array.from(run).slice(0, MAX_TOKEN_CHARS).join('');
}

/** Each character and each adjacent pair of a run of Hangul, Han or Kana. */
function addCharacterGrams(run: string, into: Set<string>): void {
  let previous = '';
  for (const char of run) {
    into.add(char);
    if (previous !== '') into.add(previous + char);
    previous = char;
  }
}

const NON_WORD = /[^\p{L}\p{N}\p{M}]+/u;

function addTokens(normalized: string, into: Set<string>): void {
  if (!SUBSTRING_SCRIPTS.test(normalized)) {
    // Most text has no Hangul, Han or Kana: its words are what lies between non-word characters.
    for (const run of normalized.split(NON_WORD)) if (run !== '') into.add(headOf(run));
    return;
  }
  // A word run touching Hangul, Han or Kana is no Latin word: a word-boundary phrase cannot
  // match inside it ("k" of "k팝"). Runs of either kind only ever touch the other kind.
  let substringEnd = -1;
  let word: { text: string; end: number } | null = null;
  for (const match of normalized.matchAll(RUNS)) {
    const [, grams, text] = match;
    if (grams !== undefined) {
      if (word !== null && word.end !== match.index) into.add(headOf(word.text));
      word = null;
      addCharacterGrams(grams, into);
      substringEnd = match.index + grams.length;
    } else if (text !== undefined) {
      if (word !== null) into.add(headOf(word.text));
      word = substringEnd === match.index ? null : { text, end: match.index + text.length };
    }
  }
  if (word !== null) into.add(headOf(word.text));
}

/** The distinct tokens of an item's text (the fields phrases are matched in), in first-seen order. */
export function searchTokens(fields: { title: string; summary: string; categories: readonly string[]; contentText: string }): string[] {
  const tokens = new Set<string>();
  for (const text of [fields.title, fields.summary, ...fields.categories, fields.contentText]) addTokens(normalizeText(text), tokens);
  return [...tokens];
}

/** The tokens every text a phrase matches (phrase-match.ts) holds; empty when the phrase has no word characters. */
export function phraseTokens(phrase: string): string[] {
  const normalized = normalizeText(phrase.trim());
  const tokens = new Set<string>();
  if (SUBSTRING_SCRIPTS.test(normalized)) {
    for (const [, grams] of normalized.matchAll(RUNS)) if (grams !== undefined) addCharacterGrams(grams, tokens);
  } else {
    for (const word of normalized.split(PHRASE_SEPARATORS)) addTokens(word, tokens);
  }
  return [...tokens];
}
