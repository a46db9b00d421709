/**
 * Are two items copies of one story? Decided from their stored TextSignatures alone
 * (text-signature.ts lists the columns), so the store can run it on the candidates its
 * bucket-key look-up returns.
 *
 * The evidence, strongest first:
 * - numbers: copies carry the same numbers, dates and weekdays; a daily template ("Seoul stocks
 *   close higher", "Weather: …") or a second missile launch a week later is worded alike with
 *   other numbers. Too few shared numbers vetoes a merge whatever the text says.
 * - body SimHash distance (Charikar 2002): copies with edits or boilerplate are a few bits
 *   apart, independently written reports of one event ~20–30 (they share names and stock
 *   phrases, not sentences), another language ~32.
 * - lede SimHash distance: a copy cut to its first paragraphs, or with a tail added, keeps
 *   the lede word for word while its whole-body fingerprint drifts (no containment in SimHash).
 * - title similarity: Dice over title features (words; character bigrams in Hangul/Han/Kana),
 *   after bracket tags, wire slugs and outlet suffixes are removed. It confirms a body match and
 *   decides alone only when a body is too short for SimHash to mean anything.
 *
 * The store's look-up, for one new item (chooseStory then picks among the rows):
 *   select id, story_id, canonical_url, published_at, fingerprint, lead_fingerprint, title_key, numbers, body_length
 *   from items
 *   where (bucket_keys && $keys::bigint[] or canonical_url = $canonical)
 *     and published_at between $published - interval '7 days' and $published + interval '7 days'
 * groupBySignature (in-memory-grouping.ts) replays that decision order in memory (what the quality
 * test measures).
 */
import type { MatchResult, StoryCandidate, StoryDecision, TextSignature } from '../model.ts';
import { hammingDistance } from './hashing.ts';
import { titleSimilarity } from './title.ts';

export interface MatchThresholds {
  /** Bodies this close (of 64 bits) are copies whatever the titles say. */
  nearIdenticalHammingDistance: number;
  /** Bodies this close are copies when titles are at least minTitleSimilarity alike. */
  maxHammingDistance: number;
  minTitleSimilarity: number;
  /** A looser body distance, allowed when titles are at least nearIdenticalTitleSimilarity alike. */
  looseHammingDistance: number;
  nearIdenticalTitleSimilarity: number;
  /** Ledes this close are copies (one shortened, or with a tail added) when titles are at least minLeadTitleSimilarity alike. */
  maxLeadHammingDistance: number;
  minLeadTitleSimilarity: number;
  /** Bodies with fewer tokens are "short": whole-body SimHash is not trusted. */
  minBodyTokens: number;
  /** Both bodies need this many tokens for the lede comparison (the lede is 32 tokens). */
  minLeadTokens: number;
  /** With a short body, titles alone must be this alike. */
  shortBodyTitleSimilarity: number;
  /** Of the numbers of the item that has fewer, at least this share must appear in the other. */
  minNumberOverlap: number;
}

/*
 * Calibration (labeled set and text-signature.test.ts): copies sit at 0 bits (reposts, added
 * boilerplate), 5–10 (an intro or tail added, a LEAD update, an unstripped caption), 14 (a Korean
 * 종합 update: caught by the lede at 0); 2% of words edited ≈ 4, 5% ≈ 8 (median). Look-alikes:
 * independent reports of one event ≥ 21, another language ~32, a second launch reusing three
 * paragraphs 15–20, and template stories 6–16: the numbers veto, not the distance, keeps those
 * apart. Shortened copies: whole body 12–22, lede 0–7.
 */
export const DEFAULT_THRESHOLDS: Readonly<MatchThresholds> = Object.freeze({
  nearIdenticalHammingDistance: 4,
  maxHammingDistance: 12,
  minTitleSimilarity: 0.3,
  looseHammingDistance: 14,
  nearIdenticalTitleSimilarity: 0.95,
  maxLeadHammingDistance: 10,
  minLeadTitleSimilarity: 0.5,
  minBodyTokens: 60,
  minLeadTokens: 28,
  shortBodyTitleSimilarity: 0.8,
  minNumberOverlap: 0.5,
});

interface NumberOverlap {
  shared: number;
  /** Size of the smaller list. */
  fewer: number;
  ratio: number;
}

function numberOverlap(a: readonly string[], b: readonly string[]): NumberOverlap {
  const fewer = Math.min(a.length, b.length);
  if (fewer === 0) return { shared: 0, fewer, ratio: 1 };
  const set = new Set(a);
  let shared = 0;
  for (const n of b) if (set.has(n)) shared++;
  return { shared, fewer, ratio: shared / fewer };
}

const percent = (x: number): string => `${Math.round(x * 100)}%`;

function onlyIn(a: readonly string[], b: readonly string[]): string {
  const other = new Set(b);
  return a
    .filter((n) => !other.has(n))
    .slice(0, 4)
    .join(', ');
}

/** Whether two items are copies of one story, with the measures behind the answer. */
export function compareSignatures(a: TextSignature, b: TextSignature, thresholds: MatchThresholds = DEFAULT_THRESHOLDS): MatchResult {
  const t = thresholds;
  const hamming = hammingDistance(a.fingerprint, b.fingerprint);
  const lead = hammingDistance(a.leadFingerprint, b.leadFingerprint);
  const title = titleSimilarity(a.titleKey, b.titleKey);
  const bothLong = a.length >= t.minBodyTokens && b.length >= t.minBodyTokens;
  const ledesComparable = a.length >= t.minLeadTokens && b.length >= t.minLeadTokens;
  const result = (same: boolean, reason: string): MatchResult => {
    // Whole-body agreement counts most, then the lede, then the title: among several matching
    // candidates the full copy beats the shortened one, which beats a title-only match.
    const bodyCloseness = bothLong ? Math.max(0, 1 - hamming / 32) : 0;
    const leadCloseness = ledesComparable ? Math.max(0, 1 - lead / 32) : 0;
    const score = 0.5 * bodyCloseness + 0.25 * leadCloseness + 0.25 * title;
    return { same, hammingDistance: hamming, leadHammingDistance: lead, titleSimilarity: title, score, reason };
  };
  const bodies = `body fingerprints differ in ${hamming} of 64 bits`;
  const ledes = `ledes differ in ${lead} of 64 bits`;
  const titles = `titles are ${percent(title)} alike`;

  const numbers = numberOverlap(a.numbers, b.numbers);
  if (numbers.fewer > 0 && numbers.ratio < t.minNumberOverlap) {
    const differing = `${onlyIn(a.numbers, b.numbers)} vs ${onlyIn(b.numbers, a.numbers)}`;
    return result(false, `numbers differ (${numbers.shared} of ${numbers.fewer} shared: ${differing}); ${bodies} and ${titles}`);
  }
  if (bothLong) {
    if (hamming <= t.nearIdenticalHammingDistance) return result(true, `${bodies} (near-identical) and ${titles}`);
    if (hamming <= t.maxHammingDistance && title >= t.minTitleSimilarity) return result(true, `${bodies} and ${titles}`);
    if (hamming <= t.looseHammingDistance && title >= t.nearIdenticalTitleSimilarity)
      return result(true, `${bodies} and titles are nearly identical (${percent(title)})`);
  }
  if (ledesComparable && lead <= t.maxLeadHammingDistance && title >= t.minLeadTitleSimilarity) {
    return result(true, `${ledes} (one copy shortened or extended; ${bodies}) and ${titles}`);
  }
  if (!bothLong) {
    const shortOne = Math.min(a.length, b.length);
    if (title >= t.shortBodyTitleSimilarity) return result(true, `a body is short (${shortOne} tokens), so titles decide: ${titles}`);
    return result(false, `a body is short (${shortOne} tokens) and ${titles}; ${ledes}`);
  }
  return result(false, `${bodies}, ${ledes} and ${titles}`);
}

// ---------------------------------------------------------------------------------------------
// Grouping: the decision order the store follows

/**
 * Which story a new item joins, given the candidates the look-up found:
 * 1. a candidate with the same canonical URL (identity: the earliest such);
 * 2. else, among candidates compareSignatures calls `same`, the best score (closest copy), ties
 *    to the earliest published: a template story's neighbours may also pass, and the closest
 *    copy is the safer anchor than the first in time;
 * 3. else none: the item founds a story.
 */
export function chooseStory<Id>(
  item: { canonicalUrl: string | null; signature: TextSignature },
  candidates: readonly StoryCandidate<Id>[],
  thresholds: MatchThresholds = DEFAULT_THRESHOLDS,
): StoryDecision<Id> {
  const byTime = [...candidates].sort((x, y) => x.publishedAt.getTime() - y.publishedAt.getTime());
  if (item.canonicalUrl !== null) {
    const sameUrl = byTime.find((c) => c.canonicalUrl === item.canonicalUrl);
    if (sameUrl !== undefined) return { storyId: sameUrl.storyId, via: 'canonical-url', matchedId: sameUrl.id, match: null };
  }
  let best: { candidate: StoryCandidate<Id>; match: MatchResult } | null = null;
  for (const candidate of byTime) {
    const match = compareSignatures(item.signature, candidate.signature, thresholds);
    if (match.same && (best === null || match.score > best.match.score)) best = { candidate, match };
  }
  if (best === null) return { storyId: null, via: null, matchedId: null, match: null };
  return { storyId: best.candidate.storyId, via: 'text', matchedId: best.candidate.id, match: best.match };
}
