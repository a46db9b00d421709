/**
 * Which topics an item belongs to (docs/architecture.md § feeds.config.json): its source's
 * declared topics, or any topic one of whose `include` rules matches; in either case not
 * when an `exclude` rule matches. A rule is a phrase looked for in the title, summary,
 * categories and content text, or a phrase qualified to one field (`title:missile`,
 * `source:yonhap`, src/text/topic-rules.ts). Phrases match case-insensitively on word
 * boundaries, except phrases in scripts that do not separate words by spaces or that glue
 * particles to words (Hangul, Han, Kana), which match as substrings: 북한 must match 북한의
 * and 北朝鮮は.
 */

import { phraseSource } from '../text/phrase-match.ts';
import { fieldText, parseRule, type RuleField, type RuleSubject } from '../text/topic-rules.ts';

export interface TopicRules {
  slug: string;
  include: readonly string[];
  exclude: readonly string[];
}

/** The item as rules see it: its text fields, author, and (for `source:` rules) its source. */
export interface ClassifiableText extends RuleSubject {
  title: string;
  summary: string;
  categories: readonly string[];
  /** The content as plain text (markup stripped). */
  contentText: string;
}

interface CompiledPhrase {
  /** The rule as written (what an explanation names). */
  rule: string;
  pattern: RegExp;
}

/** The rules of one field in one alternation: one scan of that field's text instead of one per rule. */
interface CompiledField {
  field: RuleField;
  any: RegExp;
  phrases: CompiledPhrase[];
}

type CompiledRules = readonly CompiledField[];

interface CompiledTopic {
  slug: string;
  include: CompiledRules;
  exclude: CompiledRules;
}

export type CompiledTopics = readonly CompiledTopic[];

function compileRules(raw: readonly string[]): CompiledRules {
  const byField = new Map<RuleField, CompiledPhrase[]>();
  for (const rule of raw) {
    if (rule.trim() === '') continue;
    const { field, phrase } = parseRule(rule);
    const phrases = byField.get(field) ?? [];
    phrases.push({ rule, pattern: new RegExp(phraseSource(phrase), 'u') });
    byField.set(field, phrases);
  }
  return [...byField].map(([field, phrases]) => ({ field, phrases, any: new RegExp(phrases.map((p) => `(?:${p.pattern.source})`).join('|'), 'u') }));
}

export function compileTopics(topics: readonly TopicRules[]): CompiledTopics {
  return topics.map((topic) => ({ slug: topic.slug, include: compileRules(topic.include), exclude: compileRules(topic.exclude) }));
}

/** An item's field texts, each normalized once, when a rule first needs it. */
function fieldTexts(item: ClassifiableText): (field: RuleField) => string {
  const texts = new Map<RuleField, string>();
  return (field) => {
    let text = texts.get(field);
    if (text === undefined) {
      text = fieldText(item, field);
      texts.set(field, text);
    }
    return text;
  };
}

/** The rule that matches (within a field, the one found earliest), or null. */
function firstMatch(rules: CompiledRules, textOf: (field: RuleField) => string): string | null {
  for (const compiled of rules) {
    const text = textOf(compiled.field);
    const found = compiled.any.exec(text);
    if (!found) continue;
    // Re-test the matched span alone to name the rule; its context was already checked.
    const span = text.slice(found.index, found.index + found[0].length);
    return compiled.phrases.find(({ pattern }) => pattern.test(span))?.rule ?? null;
  }
  return null;
}

export interface TopicMatch {
  slug: string;
  /** Why the item is in the topic: 'source' or the include phrase that matched. */
  matchedBy: string;
}

export interface TopicExclusion {
  slug: string;
  /** The exclude rule that kept the item out. */
  excludedBy: string;
}

/** The topics an item belongs to, and why; plus the topics an exclude phrase kept it out of. */
export function explainTopics(
  item: ClassifiableText,
  sourceTopics: readonly string[],
  topics: CompiledTopics,
): { matches: TopicMatch[]; exclusions: TopicExclusion[] } {
  const text = fieldTexts(item);
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
