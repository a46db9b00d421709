/**
 * SimHash (Charikar 2002) accumulation for the body and lede fingerprints: every shingle adds
 * its 64-bit hash to per-bit counters; the fingerprint is the majority bit pattern.
 */
import { toSigned64 } from './hashing.ts';

/**
 * SimHash counters, bit-sliced: instead of 64 ±1 updates per shingle, the count of ones at each
 * bit position is kept as a binary number spread over PLANES 32-bit words (a ripple-carry add of
 * the shingle's bits, amortized about two word operations per half). Bit b of the fingerprint is
 * set when more than half of the shingles have it set: exactly the sign of the ±1 sum
 * (Charikar 2002 with unit weight per shingle occurrence).
 */
const PLANES = 24; // counts up to 2^24 shingles; bodies are capped far below (MAX_BODY_CHARS)

export class SimHashCounter {
  private readonly lo = new Int32Array(PLANES);
  private readonly hi = new Int32Array(PLANES);
  count = 0;
  /** Zero shingles counted, as new. */
  reset(): void {
    this.lo.fill(0);
    this.hi.fill(0);
    this.count = 0;
  }
  add(loWord: number, hiWord: number): void {
    this.count++;
    let carry = loWord | 0;
    for (let p = 0; carry !== 0; p++) {
      const t = this.lo[p]! & carry;
      this.lo[p]! ^= carry;
      carry = t;
    }
    carry = hiWord | 0;
    for (let p = 0; carry !== 0; p++) {
      const t = this.hi[p]! & carry;
      this.hi[p]! ^= carry;
      carry = t;
    }
  }
  fingerprint(): bigint {
    return toSigned64(this.half(this.hi), this.half(this.lo));
  }
  /**
   * One 32-bit half of the fingerprint: bit b is set when 2 · ones_b > count, that is when
   * ones_b > threshold = floor(count / 2). All 32 counts are compared with the threshold at once,
   * bit-sliced, from the most significant plane down (a magnitude comparator): `greater` holds the
   * positions already known to be above the threshold, `equal` those whose higher bits all match
   * it so far. PLANES word operations, instead of reassembling 32 counts bit by bit (32 × PLANES).
   */
  private half(planes: Int32Array): number {
    const threshold = Math.floor(this.count / 2);
    let greater = 0;
    let equal = ~0;
    for (let p = PLANES - 1; p >= 0; p--) {
      const plane = planes[p]!;
      if ((threshold >>> p) & 1) {
        equal &= plane; // the threshold has a 1 here: a 0 falls below it, a 1 stays level
      } else {
        greater |= equal & plane; // the threshold has a 0 here: a 1 rises above it
        equal &= ~plane;
      }
    }
    return greater >>> 0;
  }
}
