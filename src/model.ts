/** Shapes that cross stage boundaries. Database row types live in db/schema.ts. */
import { createHash } from 'node:crypto';

/** One feed item after normalization: what the store writes and the renderers read. */
export interface NormalizedItem {
  /** Stable identity within its source: guid/id, else link, else a hash of title + date. */
  key: string;
  /** Absolute link to the article, or null when the feed gives none usable. */
  url: string | null;
  /** Plain text, no markup, whitespace collapsed. May be empty. */
  title: string;
  /** Plain text summary (description/summary, markup stripped), at most ~1000 chars. */
  summary: string;
  /** The item's HTML (content:encoded / content / description), unsanitized; null when none. */
  contentHtml: string | null;
  author: string | null;
  categories: string[];
  /** UTC publication time as the feed states it; null when absent or unparseable. */
  publishedAt: Date | null;
  /** UTC update time as the feed states it; null when absent or unparseable. */
  updatedAt: Date | null;
  /** Enclosure (podcast/media), absolute URL. */
  enclosure: { url: string; type: string | null; length: number | null } | null;
  /** Fields cut to their cap (field-caps.ts): the publisher sent more. */
  truncated: string[];
}

/**
 * The date an item states: its published date, else its updated date (Atom entries often
 * carry only <updated>, RFC 4287 §4.2.15); null when it states neither usably.
 */
export function itemDate(item: Pick<NormalizedItem, 'publishedAt' | 'updatedAt'>): Date | null {
  return item.publishedAt ?? item.updatedAt;
}

/**
 * A digest of everything stored from an item: equal hashes mean "nothing changed, write
 * nothing". `signed` says the item carries a text signature: a new signature algorithm
 * (SIGNATURE_VERSION) then rewrites each item once, so its signature is recomputed.
 */
export function itemContentHash(item: NormalizedItem & { canonicalUrl: string | null }, signed: boolean): string {
  const fields = [
    item.url,
    item.canonicalUrl,
    item.title,
    item.summary,
    item.contentHtml,
    item.author,
    item.categories.join('\u001f'),
    item.publishedAt?.toISOString() ?? null,
    item.updatedAt?.toISOString() ?? null,
    item.enclosure ? `${item.enclosure.url} ${item.enclosure.type} ${item.enclosure.length}` : null,
    signed ? SIGNATURE_VERSION : 0,
  ];
  return createHash('sha1').update(JSON.stringify(fields)).digest('base64url');
}

/** A feed document after normalization. */
export interface NormalizedFeed {
  /** 'rss', 'atom' or 'json' with version, e.g. 'rss2.0', 'rss1.0', 'rss0.91', 'atom1.0', 'atom0.3', 'json1.1'. */
  format: string;
  title: string | null;
  /** The site the feed describes (channel link / atom alternate link), absolute. */
  siteUrl: string | null;
  description: string | null;
  /** RSS <ttl> in minutes, when present and positive. */
  ttlMinutes: number | null;
  /** The WebSub hubs and self URL the document names (src/ingest/hub-discovery.ts weighs them). */
  websub: WebSubLinks;
  items: NormalizedItem[];
}

/** WebSub discovery links (W3C WebSub §4: rel="hub", rel="self"), absolute http(s) URLs. */
export interface WebSubLinks {
  hubs: string[];
  self: string | null;
}

// ---------------------------------------------------------------------------------------------
// Story grouping: what dedupe/ computes and decides, and the store keeps and acts on.

/** Bump when any feature, hash or key changes: stored signatures of another version must be recomputed. */
export const SIGNATURE_VERSION = 1;

/** An item's near-duplicate signature (src/dedupe/text-signature.ts computes it; one column each). */
export interface TextSignature {
  /** SimHash of the body shingles, as a signed 64-bit integer (fits Postgres bigint). */
  fingerprint: bigint;
  /** SimHash of the shingles of the body's first LEAD_TOKENS tokens (the lede). */
  leadFingerprint: bigint;
  /** LSH keys (signed 64-bit each, BUCKET_KEY_COUNT of them); near-duplicates share at least one. */
  bucketKeys: bigint[];
  /** Normalized title tokens: bracket tags, wire prefixes and outlet suffixes removed, NFKC, lower case. */
  titleKey: string[];
  /** First MAX_NUMBERS distinct numbers (digits folded: "2,634.12" → "2634.12") and weekday/month names, title first. */
  numbers: string[];
  /** Token count of the cleaned body (a run of Hangul/Han/Kana counts as one token, like a Korean eojeol). */
  length: number;
}

/** Whether two signatures are copies of one story (src/dedupe/story-match.ts compareSignatures). */
export interface MatchResult {
  same: boolean;
  /** Differing bits of the body fingerprints (0–64). */
  hammingDistance: number;
  /** Differing bits of the lede fingerprints (0–64). */
  leadHammingDistance: number;
  /** Dice similarity of the title features, 0–1. */
  titleSimilarity: number;
  /** For choosing among several matching candidates: higher is a closer copy (0–1). */
  score: number;
  /** One line for an admin: why these are (not) one story. */
  reason: string;
}

/** An earlier item the look-up returned (shares a bucket key or the canonical URL, within the window). */
export interface StoryCandidate<Id = string> {
  id: Id;
  storyId: Id;
  publishedAt: Date;
  canonicalUrl: string | null;
  signature: TextSignature;
}

export interface StoryDecision<Id = string> {
  /** The story to join, or null to found a new one. */
  storyId: Id | null;
  via: 'canonical-url' | 'text' | null;
  /** The candidate that decided it. */
  matchedId: Id | null;
  match: MatchResult | null;
}

/**
 * How new items are grouped: the store finds the candidates and keeps the result; `decide`
 * (src/dedupe/grouping-policy.ts builds it) picks the story, from the signatures alone.
 */
export interface StoryGrouping {
  /** Copies further apart in publication time than this are different stories. */
  windowMs: number;
  decide(item: { canonicalUrl: string | null; signature: TextSignature }, candidates: readonly StoryCandidate<number>[]): StoryDecision<number>;
}

/** What a 200 established for the poll schedule, kept through 304s (src/ingest/poll-schedule.ts). */
export interface Established {
  /** The interval the publishing rate calls for (publishingIntervalSeconds); null: no dates. */
  rateSeconds: number | null;
  /** The longest publisher hint of the response (RSS ttl, max-age, Expires), from the poll; 0: none. */
  hintSeconds: number;
}

/**
 * When a source last published and how often it usually does, as a 200 shows it
 * (poll-schedule.ts, publishingRhythm); src/admin/source-view-stale.ts judges staleness by it.
 */
export interface PublishingRhythm {
  /** The newest item's date (published, else updated, else first sighting; never after the poll). */
  newestItemAt: Date;
  /** Mean gap between the items of the week up to newestItemAt, in seconds; null: undated items. */
  gapSeconds: number | null;
}

/** One story of a topic feed as the store reads it and the renderer writes it (src/store/stories.ts). */
export interface FeedEntry {
  storyId: number;
  guid: string;
  publishedAt: Date;
  updatedAt: Date;
  url: string | null;
  title: string;
  summary: string;
  contentHtml: string | null;
  author: string | null;
  categories: string[];
  enclosure: { url: string; type: string | null; length: number | null } | null;
  source: SourceRef;
  /** The other outlets that carried the story, oldest first. */
  alsoReportedBy: Array<{ source: SourceRef; url: string | null; title: string }>;
}

export interface SourceRef {
  id: number;
  title: string;
  /** The feed URL. */
  url: string;
  siteUrl: string | null;
}

/** One story of a digest (src/store/digests.ts). */
export interface DigestStory {
  storyId: number;
  publishedAt: Date;
  url: string | null;
  title: string;
  summary: string;
  /** Outlets that carried the story, representative first. */
  outlets: Array<{ title: string; url: string | null }>;
}
