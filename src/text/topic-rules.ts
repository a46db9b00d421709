/**
 * A topic rule as written in `include` and `exclude` (README § Topic rules): a phrase, or a
 * phrase qualified to one field of the item: `title:missile`, `category:defense`,
 * `author:kim`, `source:yonhap` (the source's title or host), with a quoted value allowed
 * (`title:"north korea"`). An unqualified phrase looks in the title, summary, categories and
 * content text. Whatever the field, the phrase matches as phrase-match.ts says (word
 * boundaries; substrings in Hangul, Han and Kana). Shared by classification
 * (src/ingest/classify.ts), the admin preview and the config and admin validation.
 */
import { matchableText, normalizeText, type MatchableFields } from './phrase-match.ts';

export const RULE_QUALIFIERS = ['title', 'category', 'source', 'author'] as const;
export type RuleField = (typeof RULE_QUALIFIERS)[number] | 'any';

export interface TopicRule {
  field: RuleField;
  /** The phrase, unquoted and trimmed. */
  phrase: string;
}

const QUALIFIED = /^(title|category|source|author):(.*)$/isu;

/**
 * What is wrong with a rule ("title: has no phrase"), or null when it reads. An unqualified
 * phrase is taken as written (a quote inside it is literal); only wholly quoted, its quotes go.
 */
export function ruleProblem(raw: string): string | null {
  const text = raw.trim();
  const qualified = QUALIFIED.exec(text);
  if (!qualified) return unquote(text) === '' ? 'the phrase is empty' : null;
  const value = qualified[2]!.trim();
  const what = `${qualified[1]!.toLowerCase()}:`;
  if (value.startsWith('"') && (value.length < 2 || !value.endsWith('"'))) return `${what} opens a quote it does not close`;
  if (unquote(value) === '') return `${what} has no phrase`;
  return null;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1).trim() : value;
}

/** The rule a text states; one that does not read (see ruleProblem) is its whole text as a phrase. */
export function parseRule(raw: string): TopicRule {
  const text = raw.trim();
  const qualified = QUALIFIED.exec(text);
  if (!qualified || ruleProblem(text) !== null) return { field: 'any', phrase: unquote(text) };
  return { field: qualified[1]!.toLowerCase() as RuleField, phrase: unquote(qualified[2]!.trim()) };
}

/** What a rule may look at: the matchable fields, the author and the item's source. */
export interface RuleSubject extends MatchableFields {
  author?: string | null | undefined;
  /** The source the item came from; absent: `source:` rules never match. */
  source?: { title: string | null; url: string } | undefined;
}

// Between the values of a field (categories; a source's title and host): a character that is
// neither a word character nor a phrase separator, so a phrase never runs from one into the next.
const BETWEEN = '\u0000';

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** The normalized text a rule on `field` is matched against. */
export function fieldText(item: RuleSubject, field: RuleField): string {
  switch (field) {
    case 'any':
      return matchableText(item);
    case 'title':
      return normalizeText(item.title);
    case 'category':
      return normalizeText(item.categories.join(BETWEEN));
    case 'author':
      return normalizeText(item.author ?? '');
    case 'source':
      return item.source ? normalizeText(`${item.source.title ?? ''}${BETWEEN}${hostOf(item.source.url)}`) : '';
  }
}
