/**
 * Which topics an item belongs to (docs/architecture.md § feeds.config.json): its source's
 * declared topics, or any topic one of whose `include` phrases occurs in its title,
 * summary, categories or content text; in either case not when an `exclude` phrase
 * occurs. Phrases match case-insensitively on word boundaries, except phrases in
 * scripts that do not separate words by spaces or that glue particles to words
 * (Hangul, Han, Kana), which match as substrings: 북한 must match 북한의 and 北朝鮮は.
 */

import { matchableText, phraseSource } from '../text/phrase-match.ts';

export interface TopicRules {
  slug: string;
  include: readonly string[];
  exclude: readonly string[];
}

export interface ClassifiableText {
  title: string;
  summary: string;
  categories: readonly string[];
  /** The content as plain text (markup stripped). */
  contentText: string;
}

interface CompiledPhrase {
  phrase: string;
  pattern: RegExp;
}

/** One alternation per phrase list: one scan of the text instead of one per phrase. */
interface CompiledPhrases {
  any: RegExp | null;
  phrases: CompiledPhrase[];
}

interface CompiledTopic {
  slug: string;
  include: CompiledPhrases;
  exclude: CompiledPhrases;
}

export type CompiledTopics = readonly CompiledTopic[];

function compilePhrases(raw: readonly string[]): CompiledPhrases {
  const phrases = raw.filter((p) => p.trim() !== '').map((phrase) => ({ phrase, pattern: new RegExp(phraseSource(phrase), 'u') }));
  const any = phrases.length === 0 ? null : new RegExp(phrases.map((p) => `(?:${p.pattern.source})`).join('|'), 'u');
  return { any, phrases };
}

export function compileTopics(topics: readonly TopicRules[]): CompiledTopics {
  return topics.map((topic) => ({ slug: topic.slug, include: compilePhrases(topic.include), exclude: compilePhrases(topic.exclude) }));
}

/** The phrase found earliest in the text, or null. */
function firstMatch(compiled: CompiledPhrases, text: string): string | null {
  const found = compiled.any?.exec(text);
  if (!found) return null;
  // Re-test the matched span alone to name the phrase; its context was already checked.
  const span = text.slice(found.index, found.index + found[0].length);
  return compiled.phrases.find(({ pattern }) => pattern.test(span))?.phrase ?? null;
}

export interface TopicMatch {
  slug: string;
  /** Why the item is in the topic: 'source' or the include phrase that matched. */
  matchedBy: string;
}

export interface TopicExclusion {
  slug: string;
  /** The exclude phrase that kept the item out. */
  excludedBy: string;
}

/** The topics an item belongs to, and why; plus the topics an exclude phrase kept it out of. */
export function explainTopics(
  item: ClassifiableText,
  sourceTopics: readonly string[],
  topics: CompiledTopics,
): { matches: TopicMatch[]; exclusions: TopicExclusion[] } {
  const text = matchableText(item);
  const matches: TopicMatch[] = [];
  const exclusions: TopicExclusion[] = [];
  for (const topic of topics) {
    const matchedBy = sourceTopics.includes(topic.slug) ? 'source' : firstMatch(topic.include, text);
    if (matchedBy === null) continue;
    const excludedBy = firstMatch(topic.exclude, text);
    if (excludedBy === null) matches.push({ slug: topic.slug, matchedBy });
    else exclusions.push({ slug: topic.slug, excludedBy });
  }
  return { matches, exclusions };
}

/** The slugs of the topics an item belongs to, in config order. */
export function classify(item: ClassifiableText, sourceTopics: readonly string[], topics: CompiledTopics): string[] {
  return explainTopics(item, sourceTopics, topics).matches.map((m) => m.slug);
}
