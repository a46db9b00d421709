/**
 * A reader's search (`?q=` on a topic's feeds): words and "quoted phrases", all of which
 * must occur in a story's title, summary, categories or content text. Each word or phrase
 * matches like a topic rule's phrase (phrase-match.ts): case-insensitively on word
 * boundaries, and as a substring in Hangul, Han and Kana (`북한` finds `북한의`). Inside a
 * word, hyphens act as in rules: `kim-jong-un` finds "Kim Jong Un" and "Kim Jong-un".
 * Pure: parsing, the index tokens to look up (search-tokens.ts), and the exact check.
 */
import { matchableText, phraseSource, type MatchableFields } from './phrase-match.ts';
import { phraseTokens } from './search-tokens.ts';

/** Longest query accepted, in characters (after trimming). */
export const MAX_QUERY_CHARS = 200;
/** Most words and phrases in one query. */
export const MAX_QUERY_TERMS = 8;

export interface SearchQuery {
  /** The query in one canonical spelling (terms in order, single spaces): names and keys it. */
  text: string;
  /** The words and phrases, each of which must match. */
  terms: string[];
  /** Index tokens every matching text holds (search-tokens.ts), deduplicated. */
  tokens: string[];
}

/** Why a query is refused: a stable code and a message for the reader. */
export class SearchQueryError extends Error {
  constructor(
    readonly code: 'invalid_query',
    message: string,
  ) {
    super(message);
    this.name = 'SearchQueryError';
  }
}

/** Splits on whitespace outside double quotes (straight or curly); an unclosed quote runs to the end. */
function splitTerms(query: string): string[] {
  const terms: string[] = [];
  for (const [, quoted, word] of query.matchAll(/["“”]([^"“”]*)(?:["“”]|$)|([^\s"“”]+)/gu)) {
    const term = (quoted ?? word ?? '').trim().replace(/\s+/gu, ' ');
    if (term !== '') terms.push(term);
  }
  return terms;
}

/** Parses `q`; throws SearchQueryError when it is empty, too long, or has no word to look for. */
export function parseSearchQuery(raw: string): SearchQuery {
  const query = raw.trim();
  if (query === '') throw new SearchQueryError('invalid_query', 'q is empty: give one or more words, or a "phrase in quotes"');
  if (query.length > MAX_QUERY_CHARS) throw new SearchQueryError('invalid_query', `q is longer than ${MAX_QUERY_CHARS} characters`);
  const terms = [...new Set(splitTerms(query))];
  if (terms.length > MAX_QUERY_TERMS) throw new SearchQueryError('invalid_query', `q has more than ${MAX_QUERY_TERMS} words and phrases`);
  // A term of punctuation alone has no token to look up, and matches nothing a reader means.
  const searchable = terms.filter((term) => phraseTokens(term).length > 0);
  if (searchable.length === 0) throw new SearchQueryError('invalid_query', 'q has no letters or digits to search for');
  const text = searchable.map((term) => (/\s/u.test(term) ? `"${term}"` : term)).join(' ');
  return { text, terms: searchable, tokens: [...new Set(searchable.flatMap(phraseTokens))] };
}

/** The query's terms as compiled patterns, to check many texts against. */
export function compileSearchQuery(query: SearchQuery): (item: MatchableFields) => boolean {
  const patterns = query.terms.map((term) => new RegExp(phraseSource(term), 'u'));
  return (item) => {
    const text = matchableText(item);
    return patterns.every((pattern) => pattern.test(text));
  };
}
