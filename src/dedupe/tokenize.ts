/**
 * The tokenizer of signature bodies: NFKC lower-cased text cut into units, a word for spaced
 * scripts and a single character for Hangul, Han and Kana (Korean glues particles to words,
 * Chinese and Japanese do not separate words, so character n-grams are the usual robust unit),
 * each unit hashed while scanning.
 */
import { isCjk, isDigit, isWordCodePoint } from './characters.ts';
import { FNV_OFFSET, FNV_PRIME, fmix32, imul } from './hashing.ts';
import { mayBeTemporal, noteCjkRun, noteWord } from './numbers.ts';

/** Only the first this many characters of a body are read (a 3 KB body is ~1,000–3,000). */
export const MAX_BODY_CHARS = 100_000;

// ---------------------------------------------------------------------------------------------
// Tokenizer: one pass over NFKC lower-cased text, hashes computed while scanning (no substrings
// except for numbers).

export interface Units {
  /** Unit hashes (a word, or one CJK character); only the first `count` entries are this text's. */
  hashes: Uint32Array;
  /** Index of the token each unit belongs to (a CJK run is one token); first `count` entries. */
  tokenOf: Uint32Array;
  count: number;
  tokens: number;
}

/*
 * scan()'s unit arrays are reused from call to call (textSignature runs to completion without
 * yielding, so one pair per thread suffices): allocating two text-sized typed arrays per item
 * cost ~1.4 µs for a 2,000-character body. They grow to the longest body seen, but are kept only
 * up to the size a MAX_BODY_CHARS body needs; a longer text (NFKC can expand one) gets arrays of
 * its own for that call.
 */
let unitHashes = new Uint32Array(0);
let unitTokens = new Uint32Array(0);

function unitArrays(size: number): { hashes: Uint32Array; tokenOf: Uint32Array } {
  const retained = MAX_BODY_CHARS + 1;
  if (size > retained) return { hashes: new Uint32Array(size), tokenOf: new Uint32Array(size) };
  if (size > unitHashes.length) {
    const grown = Math.min(retained, Math.max(size, 2 * unitHashes.length));
    unitHashes = new Uint32Array(grown);
    unitTokens = new Uint32Array(grown);
  }
  return { hashes: unitHashes, tokenOf: unitTokens };
}

const NONE = 0;
const WORD = 1;
const CJK = 2;

/**
 * Cuts lower-cased NFKC text into units: words (letters, digits, marks; "2,634.12" stays one
 * number) and single Hangul/Han/Kana characters. Word hashes are FNV-1a over code points, then
 * finalized with fmix32 (FNV's low bits alone mix poorly). Numbers and weekday/month names are
 * appended to `numbers` as they are met.
 */
export function scan(text: string, numbers: string[], numberSeen: Set<string>): Units {
  const length = text.length;
  const { hashes, tokenOf } = unitArrays(length + 1);
  let count = 0;
  let tokens = 0;
  let state = NONE;
  let start = 0;
  let wordHash = FNV_OFFSET;
  let hasDigit = false;

  for (let i = 0; i <= length; ) {
    let cp = i < length ? text.charCodeAt(i) : 0x20;
    let size = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < length) {
      cp = text.codePointAt(i)!;
      size = cp > 0xffff ? 2 : 1;
    }
    let kind: number;
    if (cp < 0x80) {
      kind = (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) ? WORD : NONE;
      // Separators inside a number ("2,634.12") keep the number whole.
      if (kind === NONE && state === WORD && hasDigit && (cp === 0x2c || cp === 0x2e) && isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1))) {
        if (cp === 0x2e) wordHash = imul(wordHash ^ cp, FNV_PRIME);
        i += 1;
        continue;
      }
    } else if (isCjk(cp)) kind = CJK;
    else kind = isWordCodePoint(cp) ? WORD : NONE;

    if (state !== kind || kind === NONE) {
      // The current token (if any) ends here.
      if (state === WORD) {
        hashes[count] = fmix32(wordHash);
        tokenOf[count] = tokens;
        count++;
        tokens++;
        if (hasDigit || mayBeTemporal(wordHash)) noteWord(text, start, i, wordHash >>> 0, hasDigit, numbers, numberSeen);
      } else if (state === CJK) {
        tokens++;
        noteCjkRun(text, start, numbers, numberSeen);
      }
      state = kind;
      start = i;
      wordHash = FNV_OFFSET;
      hasDigit = false;
    }
    if (kind === WORD) {
      if (isDigit(cp)) hasDigit = true;
      wordHash = imul(wordHash ^ cp, FNV_PRIME);
    } else if (kind === CJK) {
      hashes[count] = fmix32(cp ^ 0x5f3759df);
      tokenOf[count] = tokens;
      count++;
    }
    i += size;
  }
  return { hashes, tokenOf, count, tokens };
}
