/**
 * The dedupe stage's one entry point: everything outside src/dedupe/ imports from here.
 * README.md beside it says what each module does and what dedupe may import.
 */

// Item identity and ownership, computed at ingest.
export { canonicalUrl, withoutTracking } from './canonical-url.ts';
export { isOnOwnSite } from './own-site.ts';

// The text signature an item is stored with, and its parts.
export { textSignature } from './text-signature.ts';
export { BUCKET_KEY_COUNT } from './bucket-keys.ts';
export { MAX_BODY_CHARS } from './tokenize.ts';
export { stripBoilerplate } from './boilerplate.ts';
export { normalizeTitle, titleSimilarity } from './title.ts';
export { fingerprintFromHex, fingerprintToHex, hammingDistance } from './hashing.ts';

// Deciding which story an item joins.
export { chooseStory, compareSignatures, DEFAULT_THRESHOLDS, type MatchThresholds } from './story-match.ts';
export { CANONICAL_URL_ONLY, storyGrouping, type DedupeSettings } from './grouping-policy.ts';
export { groupBySignature } from './in-memory-grouping.ts';

// Serializing grouping runs across concurrent polls.
export { createStoryGrouper, type GroupingRun, type StoryGrouper } from './grouping-runs.ts';

// The shapes dedupe shares with the store (defined in model.ts).
export { SIGNATURE_VERSION, type MatchResult, type StoryCandidate, type StoryDecision, type StoryGrouping, type TextSignature } from '../model.ts';
