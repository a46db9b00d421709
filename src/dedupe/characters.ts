/**
 * Character classes of the tokenizer and the title normalizer: which code points are cut into
 * single characters (Hangul, Han, Kana), which belong to a word, which are digits.
 */

/** Hangul, Han, Kana (and their compatibility blocks): cut into characters, not words. */
export function isCjk(cp: number): boolean {
  return (
    (cp >= 0xac00 && cp <= 0xd7af) || // Hangul syllables
    (cp >= 0x4e00 && cp <= 0x9fff) || // CJK unified ideographs
    (cp >= 0x3040 && cp <= 0x30ff) || // Hiragana, Katakana
    (cp >= 0x1100 && cp <= 0x11ff) || // Hangul Jamo
    (cp >= 0x3130 && cp <= 0x318f) || // Hangul compatibility Jamo
    (cp >= 0x3400 && cp <= 0x4dbf) || // CJK extension A
    (cp >= 0xa960 && cp <= 0xa97f) ||
    (cp >= 0xd7b0 && cp <= 0xd7ff) ||
    (cp >= 0xf900 && cp <= 0xfaff) || // CJK compatibility ideographs
    (cp >= 0x31f0 && cp <= 0x31ff) ||
    (cp >= 0x20000 && cp <= 0x2ffff) // CJK extensions B…
  );
}

const WORD_CHAR = /^[\p{L}\p{N}\p{M}]$/u;

/**
 * WORD_CHAR's answer for each BMP code point met so far (0 not yet asked, 1 yes, 2 no). scan()
 * asks for every non-ASCII, non-CJK character, i.e. every letter of Cyrillic, Greek or Arabic
 * text, and a regex test on a fresh one-character string cost ~25 ns each time.
 */
const BMP_WORD_CHAR = new Uint8Array(0x10000);

/** A letter, digit or mark (WORD_CHAR) beyond ASCII. */
export function isWordCodePoint(cp: number): boolean {
  if (cp > 0xffff) return WORD_CHAR.test(String.fromCodePoint(cp));
  let known = BMP_WORD_CHAR[cp]!;
  if (known === 0) BMP_WORD_CHAR[cp] = known = WORD_CHAR.test(String.fromCharCode(cp)) ? 1 : 2;
  return known === 1;
}

export function isWordChar(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a);
  return isWordCodePoint(cp);
}

export function isDigit(cp: number): boolean {
  return cp >= 0x30 && cp <= 0x39;
}
