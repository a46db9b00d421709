/**
 * The integer hashing every signature feature rests on: 32-bit arithmetic (FNV-1a for words,
 * the MurmurHash3 finalizer for mixing) with fixed constants, identical on every platform and
 * run; two 32-bit halves are combined into a signed 64-bit bigint (Postgres bigint) only at the
 * end. Also the fingerprint helpers: Hamming distance and the hex form admins see.
 */

export const imul = Math.imul;

/** MurmurHash3's 32-bit finalizer: a bijection with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3-style combination of three 32-bit words under a seed. */
export function hash3(a: number, b: number, c: number, seed: number): number {
  let h = seed;
  h = imul((h ^ fmix32(a ^ 0x9e3779b9)) >>> 0, 0x01000193) ^ 0x5bd1e995;
  h = (h << 13) | (h >>> 19);
  h = imul(h ^ fmix32(b + 0x7f4a7c15), 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  h = imul(h ^ fmix32(c ^ 0x2545f491), 0x1b873593);
  return fmix32(h ^ 12);
}

export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** FNV-1a 32 over UTF-16 code units. */
export function fnv1a32(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) h = imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

export function toSigned64(hi: number, lo: number): bigint {
  return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return imul(x, 0x01010101) >>> 24;
}

/** Number of differing bits of two 64-bit fingerprints (signed or unsigned bigints). */
export function hammingDistance(a: bigint, b: bigint): number {
  const x = BigInt.asUintN(64, a ^ b);
  return popcount32(Number(x & 0xffffffffn)) + popcount32(Number(x >> 32n));
}

/** 16 lower-case hex digits of the unsigned 64-bit pattern (for logs and admin pages). */
export function fingerprintToHex(fingerprint: bigint): string {
  return BigInt.asUintN(64, fingerprint).toString(16).padStart(16, '0');
}

/** Inverse of fingerprintToHex: the signed 64-bit value as stored. */
export function fingerprintFromHex(hex: string): bigint {
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) throw new RangeError(`not a 64-bit hex fingerprint: ${hex}`);
  return BigInt.asIntN(64, BigInt(`0x${hex}`));
}
