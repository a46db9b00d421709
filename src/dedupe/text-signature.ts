/**
 * Text signatures for cross-source near-duplicate detection (docs/architecture.md, "dedupe").
 *
 * One signature per item, computed once at ingest and stored; story-match.ts compares two
 * signatures using nothing else. What to store (one column each):
 *
 *   fingerprint       bigint    SimHash of the whole body (signed 64-bit)
 *   lead_fingerprint  bigint    SimHash of the lede: the body's first LEAD_TOKENS tokens
 *   bucket_keys       bigint[]  LSH keys, GIN-indexed; candidates are rows sharing one (`&&`)
 *   title_key         text[]    normalized title tokens
 *   numbers           text[]    the first distinct numbers (and weekday/month names) of title + body
 *   body_length       integer   body token count (a run of Hangul/Han/Kana counts as one token)
 *   (signature_version smallint: SIGNATURE_VERSION, src/model.ts; signatures of different versions are not comparable)
 *
 * Body features. The body is cleaned of boilerplate (share buttons, "Source link", copyright
 * lines, bylines, datelines, photo captions, reporter e-mails, Korean portal footers), then cut
 * into units: a word for spaced scripts, a single character for Hangul, Han and Kana (Korean
 * glues particles to words, Chinese and Japanese do not separate words, so character n-grams are
 * the usual robust unit). Features are shingles of SHINGLE_UNITS consecutive units: word
 * 3-grams for English, character 3-grams for Korean (Broder 1997, "On the resemblance and
 * containment of documents").
 *
 * fingerprint: SimHash (Charikar 2002, "Similarity estimation techniques from rounding
 * algorithms"): every shingle occurrence adds +1/-1 to 64 counters according to the bits of its
 * 64-bit hash (unit weight per occurrence, i.e. tf weighting); the fingerprint is the sign pattern. The expected Hamming distance of two
 * fingerprints is 64·θ/π, θ the angle between the shingle-count vectors, so copies land within a
 * few bits while unrelated texts sit near 32 (Manku, Jain & Das Sarma 2007, "Detecting
 * near-duplicates for web crawling", use 64-bit SimHash and k = 3 on web pages).
 *
 * lead_fingerprint: SimHash has no notion of containment: a copy cut to its first two paragraphs
 * has cos θ ≈ sqrt(|short| / |long|) with the full text, ~20 bits away for a third of it. Copies
 * (shortened or not, with tails added or not) keep the lede word for word, while independent
 * reports of the same event never share it, so a second SimHash over the first LEAD_TOKENS tokens
 * catches shortened copies without merging look-alikes.
 *
 * numbers: template stories (daily weather, market closes) and repeated events (a missile
 * launch a week after another) are worded alike and differ in their numbers, dates and
 * weekdays. Their SimHashes are close; their numbers are not, so story-match.ts vetoes a merge
 * when too few numbers are shared.
 *
 * bucket_keys: MinHash bands (Broder 1997) over the body, the lede and the opening, plus one key
 * of the whole normalized title; the sizing argument is in bucket-keys.ts, above BODY_BANDS. Keys are
 * exact-match probes, the banding idea of Indyk & Motwani 1998 that Manku et al. 2007 use to
 * turn a Hamming-distance search into a few index look-ups.
 *
 * All hashing is 32-bit integer arithmetic (FNV-1a for words, the MurmurHash3 finalizer for
 * mixing) with fixed constants: identical on every platform and run. Cost is linear in the text,
 * no quadratic step: a few regex passes to clean (each guarded so plain sentences skip them), one
 * pass to tokenize, and per shingle two hashes, two bit-sliced SimHash additions and up to three
 * MinHash comparisons. Measured ~40 µs for a 3 KB English body and ~55 µs for 3 KB of Korean
 * (1,200 character shingles) on a loaded 2-core machine; bench/pure.ts prints the figure.
 */
import type { TextSignature } from '../model.ts';
import { collectBucketKeys, newMinHashes } from './bucket-keys.ts';
import { stripBoilerplate } from './boilerplate.ts';
import { fmix32, imul } from './hashing.ts';
import { noteTitleNumbers } from './numbers.ts';
import { SimHashCounter } from './simhash.ts';
import { normalizeTitle } from './title.ts';
import { MAX_BODY_CHARS, scan } from './tokenize.ts';

/** Units per shingle: word 3-grams in spaced scripts, character 3-grams in Hangul/Han/Kana. */
export const SHINGLE_UNITS = 3;
/** The lede is the first this many body tokens (about the first sentence in English, two in Korean). */
export const LEAD_TOKENS = 32;
/** The opening (bucket keys only): the first this many tokens, all a one-sentence flash ("[속보]") has. */
export const OPENING_TOKENS = 12;

/*
 * The SimHash and MinHash accumulators are reused from call to call, reset at the start of each
 * (textSignature runs to completion without yielding, so one set per thread suffices). Allocated
 * per item, their ten typed arrays cost ~1.3 µs: most are larger than the 64 bytes V8 keeps on
 * its heap, so each one was a malloc'd backing store for the garbage collector to finalize.
 */
const accumulators = {
  bodyHash: new SimHashCounter(),
  leadHash: new SimHashCounter(),
  ...newMinHashes(),
};

function resetAccumulators(): typeof accumulators {
  for (const accumulator of Object.values(accumulators)) accumulator.reset();
  return accumulators;
}

/** Signature of one item; `text` is its plain body text (summary or content, whichever is longer). */
export function textSignature(input: { title: string; text: string }): TextSignature {
  const titleKey = normalizeTitle(input.title);
  const numbers: string[] = [];
  const numberSeen = new Set<string>();
  noteTitleNumbers(titleKey, numbers, numberSeen);

  const raw = input.text.length > MAX_BODY_CHARS ? input.text.slice(0, MAX_BODY_CHARS) : input.text;
  const body = stripBoilerplate(raw.normalize('NFKC')).toLowerCase();
  const { hashes, tokenOf, count, tokens } = scan(body, numbers, numberSeen);

  const { bodyHash, leadHash, bodyMin, leadMin, openingMin } = resetAccumulators();

  // Shingles of SHINGLE_UNITS consecutive units; a body shorter than that is one shingle.
  const shingles = count >= SHINGLE_UNITS ? count - SHINGLE_UNITS + 1 : count > 0 ? 1 : 0;
  for (let j = 0; j < shingles; j++) {
    const a = hashes[j]!;
    const b = j + 1 < count ? hashes[j + 1]! : 0x27d4eb2f;
    const c = j + 2 < count ? hashes[j + 2]! : 0x165667b1;
    // Distinct odd multipliers keep the shingle ordered: (a, b, c) ≠ (b, a, c).
    const mixed = imul(a, 0xcc9e2d51) ^ imul(b, 0x1b873593) ^ imul(c, 0x85ebca6b);
    const lo = fmix32(mixed ^ 0x2545f491);
    const hi = fmix32(mixed + 0x7f4a7c15);
    bodyHash.add(lo, hi);
    bodyMin.add(lo, hi);
    const token = tokenOf[j]!;
    if (token < LEAD_TOKENS) {
      leadHash.add(lo, hi);
      leadMin.add(lo, hi);
      if (token < OPENING_TOKENS) openingMin.add(lo, hi);
    }
  }

  const bucketKeys = collectBucketKeys({ bodyMin, leadMin, openingMin }, titleKey);

  return {
    fingerprint: bodyHash.count > 0 ? bodyHash.fingerprint() : 0n,
    leadFingerprint: leadHash.count > 0 ? leadHash.fingerprint() : 0n,
    bucketKeys,
    titleKey,
    numbers,
    length: tokens,
  };
}
