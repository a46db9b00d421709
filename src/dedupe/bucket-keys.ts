/**
 * Bucket keys: the LSH probes the store's GIN index looks candidates up by. MinHash bands over
 * the body, the lede and the opening, plus one key of the whole normalized title.
 */
import { fmix32, fnv1a32, hash3, imul, toSigned64 } from './hashing.ts';
import { titleFeatureCount } from './title.ts';

/** Keys per item: 6 body bands + 4 lede bands + 2 opening bands + 1 title key (fewer for an empty body or a 1–3 word title). */
export const BUCKET_KEY_COUNT = 13;

/*
 * Which keys, and why these sizes. A key is shared by two items with probability
 * p(J) = J^r for a band of r MinHash values over shingle sets with Jaccard resemblance J
 * (Broder 1997: Pr[min h(A) = min h(B)] = J). Bands of r values, b bands: recall 1 − (1 − J^r)^b.
 * Every key also hashes its kind and band number, because Postgres `&&` ignores array positions.
 *
 * - BODY_BANDS × BODY_ROWS over all body shingles: copies whose fingerprints are within ~12 bits
 *   have J ≳ 0.7; with r = 3, b = 6: J = 0.7 → 0.93, J = 0.8 → 0.99, J = 0.9 → 1.00.
 * - LEAD_BANDS × LEAD_ROWS over the lede's shingles: a shortened copy has J ≈ 1 there even when
 *   its body J is 0.3; J = 0.8 → 0.94.
 * - OPENING_BANDS × OPENING_ROWS over the first OPENING_TOKENS tokens: a one-sentence flash
 *   ("[속보]") is all opening, and shares it with the full story, whose lede is three times longer.
 * - one key from the whole normalized title (when it has at least MIN_TITLE_FEATURES features):
 *   catches headline-only and very short copies, which have no usable shingles.
 *
 * Candidate budget. With N items in the window, an item's expected candidate count is
 * N · Pr[a random pair shares some key]. For unrelated news the shingle resemblance is
 * J ≈ 0.005–0.02 (shared stock phrases: "according to the", "했다고 밝혔다"), so a band of 3 collides
 * with Pr ≈ J³ ≤ 8·10⁻⁶, and the 12 bands give ≤ 10⁻⁴ at J = 0.02 and ~10⁻⁶ at J = 0.005: at
 * N = 1,000,000, a few to tens of candidates (the rarer J = 0.02 pairs dominate). r = 2 would give
 * N · 12 · J² ≈ 300–5,000: too many. The title key collides only for identical normalized titles
 * (recurring titles like "Weather": one per day and outlet, so ≤ 7 × outlets in a window).
 * text-signature.test.ts measures the rate on synthetic Zipf-distributed English and Korean text.
 * The 32-bit MinHash values themselves collide by accident with Pr 2⁻³² per value, negligible.
 * Not covered by the average: a story syndicated to k outlets puts k items in its buckets (k
 * candidates each, as it should), and an outlet whose every item opens with the same furniture
 * that stripBoilerplate misses shares opening keys across its own items.
 *
 * SimHash bands (Manku et al. 2007) were considered and rejected as the index: 64 bits in 4
 * bands of 16 guarantee a shared band only up to 3 differing bits, and the per-band random
 * collision rate 4 · 2⁻¹⁶ already means ~60 candidates per item at N = 1,000,000 (more in
 * practice: news SimHash bits are not uniform). Copies that differ by boilerplate or a LEAD
 * update sit at 5–12 bits; MinHash bands reach them at a tenth of the false-candidate rate.
 */
const BODY_BANDS = 6;
const BODY_ROWS = 3;
const LEAD_BANDS = 4;
const LEAD_ROWS = 3;
const OPENING_BANDS = 2;
const OPENING_ROWS = 3;
const MIN_TITLE_FEATURES = 4;
const KEY_KIND_BODY = 0x62;
const KEY_KIND_LEAD = 0x6c;
const KEY_KIND_OPENING = 0x6f;
const KEY_KIND_TITLE = 0x74;
/** Offsets added to a value borrowed by an empty bin, per distance (rotation densification). */
const DENSIFY_STEP = 0x9e3779b1;

/**
 * One-permutation MinHash (Li, Owen & Zhang 2012): each shingle hash falls into one of `bins`
 * bins (by its high word) and the bin keeps the smallest low word. One comparison per shingle
 * instead of one hash per band row; Pr[bin values equal] ≈ J as for k independent permutations.
 */
export class OnePermutationMinHash {
  readonly values: Uint32Array;
  readonly filled: Uint8Array;
  constructor(readonly bins: number) {
    this.values = new Uint32Array(bins).fill(0xffffffff);
    this.filled = new Uint8Array(bins);
  }
  /** Empties every bin, as new. */
  reset(): void {
    this.values.fill(0xffffffff);
    this.filled.fill(0);
  }
  add(lo: number, hi: number): void {
    const bin = Math.floor((hi / 4294967296) * this.bins);
    this.filled[bin] = 1;
    if (lo < this.values[bin]!) this.values[bin] = lo;
  }
  /**
   * Empty bins (short texts) borrow from the next filled bin to their right, plus an offset per
   * step, so two texts with equal filled bins get equal keys (rotation densification,
   * Shrivastava & Li 2014, "Densifying one permutation hashing"). False when all bins are empty.
   */
  densify(): boolean {
    const { bins, values, filled } = this;
    if (!filled.includes(1)) return false;
    for (let i = 0; i < bins; i++) {
      if (filled[i]) continue;
      let t = 1;
      while (!filled[(i + t) % bins]) t++;
      values[i] = (values[(i + t) % bins]! + imul(t, DENSIFY_STEP)) >>> 0;
    }
    filled.fill(1);
    return true;
  }
  /** One key per band of `rows` consecutive bins, tagged with the kind and band number. */
  bandKeys(rows: number, kind: number, out: bigint[]): void {
    for (let b = 0; b * rows < this.bins; b++) {
      let lo = fmix32(imul(kind, 0x01000193) ^ b);
      let hi = fmix32(kind + imul(b, 0x10001));
      for (let r = 0; r < rows; r++) {
        const v = this.values[b * rows + r]!;
        lo = hash3(lo, v, r, 0x3c6ef372);
        hi = hash3(hi, v, r, 0xa54ff53a);
      }
      out.push(toSigned64(hi, lo));
    }
  }
}

/** The MinHash sketches of one text (kept across calls by text-signature.ts, reset for each). */
export interface MinHashes {
  /** All body shingles. */
  bodyMin: OnePermutationMinHash;
  /** The shingles of the lede (the first LEAD_TOKENS tokens). */
  leadMin: OnePermutationMinHash;
  /** The shingles of the opening (the first OPENING_TOKENS tokens). */
  openingMin: OnePermutationMinHash;
}

export function newMinHashes(): MinHashes {
  return {
    bodyMin: new OnePermutationMinHash(BODY_BANDS * BODY_ROWS),
    leadMin: new OnePermutationMinHash(LEAD_BANDS * LEAD_ROWS),
    openingMin: new OnePermutationMinHash(OPENING_BANDS * OPENING_ROWS),
  };
}

/** The item's keys: the bands of each sketch that saw a shingle, then the title key when the title has enough features. */
export function collectBucketKeys({ bodyMin, leadMin, openingMin }: MinHashes, titleKey: readonly string[]): bigint[] {
  const bucketKeys: bigint[] = [];
  if (bodyMin.densify()) bodyMin.bandKeys(BODY_ROWS, KEY_KIND_BODY, bucketKeys);
  if (leadMin.densify()) leadMin.bandKeys(LEAD_ROWS, KEY_KIND_LEAD, bucketKeys);
  if (openingMin.densify()) openingMin.bandKeys(OPENING_ROWS, KEY_KIND_OPENING, bucketKeys);
  if (titleFeatureCount(titleKey) >= MIN_TITLE_FEATURES) {
    const h = fnv1a32(titleKey.join(' '));
    bucketKeys.push(toSigned64(hash3(h, titleKey.length, KEY_KIND_TITLE, 0x510e527f), hash3(h, titleKey.length, KEY_KIND_TITLE, 0x9b05688c)));
  }
  return bucketKeys;
}
