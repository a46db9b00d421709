/**
 * Text signatures for cross-source near-duplicate detection (ARCHITECTURE.md step 8, "dedupe").
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
 * of the whole normalized title; the sizing argument is in the comment above BODY_BANDS. Keys are
 * exact-match probes, the banding idea of Indyk & Motwani 1998 that Manku et al. 2007 use to
 * turn a Hamming-distance search into a few index look-ups.
 *
 * All hashing is 32-bit integer arithmetic (FNV-1a for words, the MurmurHash3 finalizer for
 * mixing) with fixed constants: identical on every platform and run. Cost is linear in the text,
 * no quadratic step: a few regex passes to clean (each guarded so plain sentences skip them), one
 * pass to tokenize, and per shingle two hashes, two bit-sliced SimHash additions and up to three
 * MinHash comparisons. Measured ~40 µs for a 3 KB English body and ~55 µs for 3 KB of Korean
 * (1,200 character shingles) on a loaded 2-core machine; fingerprint.test.ts prints the figure.
 */

import type { TextSignature } from '../model.ts';
import { collapseWhitespace } from './html-text.ts';

export type { TextSignature } from '../model.ts';

/** Units per shingle: word 3-grams in spaced scripts, character 3-grams in Hangul/Han/Kana. */
export const SHINGLE_UNITS = 3;
/** The lede is the first this many body tokens (about the first sentence in English, two in Korean). */
export const LEAD_TOKENS = 32;
/** The opening (bucket keys only): the first this many tokens, all a one-sentence flash ("[속보]") has. */
export const OPENING_TOKENS = 12;
/** How many distinct numbers are kept. The first ones: a shortened copy keeps a prefix of them. */
export const MAX_NUMBERS = 12;
/** Keys per item: 6 body bands + 4 lede bands + 2 opening bands + 1 title key (fewer for an empty body or a 1–3 word title). */
export const BUCKET_KEY_COUNT = 13;

// ---------------------------------------------------------------------------------------------
// Hashing (32-bit halves; combined into bigint only at the end)

const imul = Math.imul;

/** MurmurHash3's 32-bit finalizer: a bijection with full avalanche. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3-style combination of three 32-bit words under a seed. */
function hash3(a: number, b: number, c: number, seed: number): number {
  let h = seed;
  h = imul((h ^ fmix32(a ^ 0x9e3779b9)) >>> 0, 0x01000193) ^ 0x5bd1e995;
  h = (h << 13) | (h >>> 19);
  h = imul(h ^ fmix32(b + 0x7f4a7c15), 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  h = imul(h ^ fmix32(c ^ 0x2545f491), 0x1b873593);
  return fmix32(h ^ 12);
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a 32 over UTF-16 code units. */
export function fnv1a32(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) h = imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

function toSigned64(hi: number, lo: number): bigint {
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

// ---------------------------------------------------------------------------------------------
// Character classes

/** Hangul, Han, Kana (and their compatibility blocks): cut into characters, not words. */
function isCjk(cp: number): boolean {
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
function isWordCodePoint(cp: number): boolean {
  if (cp > 0xffff) return WORD_CHAR.test(String.fromCodePoint(cp));
  let known = BMP_WORD_CHAR[cp]!;
  if (known === 0) BMP_WORD_CHAR[cp] = known = WORD_CHAR.test(String.fromCharCode(cp)) ? 1 : 2;
  return known === 1;
}

function isWordChar(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a);
  return isWordCodePoint(cp);
}

function isDigit(cp: number): boolean {
  return cp >= 0x30 && cp <= 0x39;
}

// Weekday and month names carry the date as much as digits do ("on Tuesday"). Not "may": a verb.
const TEMPORAL_WORDS = [
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
  'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
];
const TEMPORAL_BY_HASH: ReadonlyMap<number, string> = new Map(TEMPORAL_WORDS.map((w) => [fnv1a32(w), w]));
// scan() asks at the end of every word whether its hash is one of these; a hash-set look-up per
// word cost over a tenth of textSignature's time on English text. A one-hash Bloom filter (one
// byte per value of the hash's low 10 bits, set for these 18 words) answers "no" for ~98% of
// other words with one array load; the rest go to the exact set, keyed by the hashes as signed
// 32-bit integers (V8 keeps those unboxed; a uint32 above 2^31 is a heap number, allocated at
// every look-up).
const TEMPORAL_FILTER_MASK = 0x3ff;
const TEMPORAL_FILTER = new Uint8Array(TEMPORAL_FILTER_MASK + 1);
for (const word of TEMPORAL_WORDS) TEMPORAL_FILTER[fnv1a32(word) & TEMPORAL_FILTER_MASK] = 1;
const TEMPORAL_HASHES: ReadonlySet<number> = new Set(TEMPORAL_WORDS.map((w) => fnv1a32(w) | 0));
const mayBeTemporal = (hash: number): boolean => TEMPORAL_FILTER[hash & TEMPORAL_FILTER_MASK] === 1 && TEMPORAL_HASHES.has(hash | 0);
// Korean weekdays: 월요일 … 일요일 (the day character followed by 요일).
const KOREAN_WEEKDAY = /^[월화수목금토일]요일/;

// ---------------------------------------------------------------------------------------------
// Tokenizer: one pass over NFKC lower-cased text, hashes computed while scanning (no substrings
// except for numbers).

interface Units {
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

/** Adds a finished word's number (or weekday/month name) to `numbers` while there is room. */
function noteWord(text: string, start: number, end: number, hash: number, hasDigit: boolean, numbers: string[], seen: Set<string>): void {
  if (numbers.length >= MAX_NUMBERS) return;
  let value: string | undefined;
  if (hasDigit) value = text.slice(start, end).replace(/,/g, '');
  else {
    const temporal = TEMPORAL_BY_HASH.get(hash);
    if (temporal !== undefined && text.slice(start, end) === temporal) value = temporal;
  }
  if (value !== undefined && !seen.has(value)) {
    seen.add(value);
    numbers.push(value);
  }
}

/** Adds a Korean weekday opening a finished Hangul run ("화요일인") to `numbers`. */
function noteCjkRun(text: string, start: number, numbers: string[], seen: Set<string>): void {
  if (numbers.length >= MAX_NUMBERS || text.charCodeAt(start + 1) !== 0xc694 /* 요 */) return;
  const weekday = KOREAN_WEEKDAY.exec(text.slice(start, start + 3))?.[0];
  if (weekday !== undefined && !seen.has(weekday)) {
    seen.add(weekday);
    numbers.push(weekday);
  }
}

/**
 * Cuts lower-cased NFKC text into units: words (letters, digits, marks; "2,634.12" stays one
 * number) and single Hangul/Han/Kana characters. Word hashes are FNV-1a over code points, then
 * finalized with fmix32 (FNV's low bits alone mix poorly). Numbers and weekday/month names are
 * appended to `numbers` as they are met.
 */
function scan(text: string, numbers: string[], numberSeen: Set<string>): Units {
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

// ---------------------------------------------------------------------------------------------
// Boilerplate

/**
 * Segments (sentences) removed whole: they start with a label that means "not the article".
 * Text arrives whitespace-collapsed (htmlToPlainText), so lines are gone: we cut at sentence ends
 * and test each segment's start. Case-insensitive; applied after NFKC.
 */
const DROP_SEGMENT = new RegExp(
  '^(?:' +
    [
      'source link', 'read more', 'read the full', 'continue reading', 'related (?:articles?|stories|news|coverage|links?)',
      'more (?:stories|news) from', 'see also', 'recommended', 'most read', 'trending now',
      'all rights reserved', 'copyright\\b', '©', '\\(c\\) ?\\d{4}', 'this (?:article|story|post) (?:was|first|originally|appeared)',
      'originally published', 'first published', 'sign up', 'subscribe', 'follow us', 'click here', 'share this',
      'share on', 'reporting by', 'editing by', 'writing by', 'additional reporting', 'contact the reporter',
      'photo\\s*[:=-]', 'photos?\\s+by\\b', 'file photo', 'image\\s*[:=]', 'caption\\s*:', 'video\\s*:', 'graphic\\s*:',
      '\\(photo', '\\[photo', '\\(image', '\\(file photo',
      // Korean portal and wire furniture
      '무단\\s?전재', '저작권자', 'ⓒ', '<저작권자', '▶', '▲', '☞', '■\\s?관련', '관련\\s?기사', '기사\\s?원문',
      '기사\\s?제보', '구독', '공유하기', '좋아요', '많이 본 뉴스', '이 기사를 추천',
    ].join('|') +
    ')',
  'iu',
);

/** Footer phrases that condemn a short segment wherever they appear in it ("ⓒ 매일 … 무단전재 및 재배포 금지"). */
const FOOTER_PHRASES = ['©', 'ights reserved', 'IGHTS RESERVED', 'opyright', '무단', '재배포', '저작권'];
const FOOTER_MAX_LENGTH = 160;

/** Labels that are boilerplate when they are all a segment holds, or when they precede a capitalized sentence. */
const LABEL =
  /^(?:[Ss]hare|SHARE|[Tt]weet|[Ee]-?mail|[Pp]rint|[Aa]dvertisement|ADVERTISEMENT|[Ss]ponsored|[Ff]acebook|[Tt]witter|[Ll]inked[Ii]n|[Ww]hats[Aa]pp|[Kk]akao[Tt]alk|[Ll]ink copied|[Cc]opy link|[Gg]ift this article|공유하기|공유|스크랩|인쇄|광고|닫기)(?![\p{L}\p{N}])[\s:|·•]*/u;

/**
 * Prefixes cut from a segment (the rest is kept), each with a test of the segment's first
 * characters so that ordinary sentences (nearly all of them) cost no regex run.
 */
const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
const SEGMENT_PREFIXES: readonly { applies: (segment: string, c0: number) => boolean; pattern: RegExp }[] = [
  // Wire datelines: "SEOUL, March 3 (Yonhap) --", "WASHINGTON (AP) —"
  {
    applies: (s, c0) => isUpper(c0) && isUpper(s.charCodeAt(1)),
    pattern: /^[A-Z][A-Z .'-]{1,40}(?:, [A-Z][a-z]{2,9}\.? \d{1,2})?(?: \([^)]{2,30}\))? (?:--|—|–)\s*/u,
  },
  // Bylines: "By Kim Min-su, Staff Reporter", "By Jane Doe |"
  {
    applies: (s, c0) => (c0 === 0x42 || c0 === 0x62) && s.charCodeAt(1) === 0x79 && s.charCodeAt(2) === 0x20,
    pattern: /^[Bb]y [A-Z][\p{L}.'-]+(?: [A-Z][\p{L}.'-]+){0,3}(?:,? (?:[Ss]taff |[Ss]enior |[Cc]hief )?(?:[Rr]eporter|[Ww]riter|[Cc]orrespondent|[Ee]ditor)s?)?(?:\s*[|,;:-]\s*|\s+(?=[A-Z]))/u,
  },
  // Time stamps: "Updated: 2026-03-03 10:32 KST", "입력 2026.03.03 10:32"
  {
    applies: (_s, c0) => 'UuPpLl입수승기'.includes(String.fromCharCode(c0)),
    pattern: /^(?:[Uu]pdated|UPDATED|[Pp]ublished|PUBLISHED|[Pp]osted|[Ll]ast updated|입력|수정|승인|기사입력)\s*:?\s*[\d\s.:/-]{6,}(?:KST|GMT|UTC|kst|gmt|utc|[AaPp][Mm])?\s*/u,
  },
  // Korean datelines and bylines: "(서울=한빛통신)", "[매일한결신문 이지은 기자]", "김민수 기자 ="; a lone credit "(Peninsula Times)"
  { applies: (_s, c0) => c0 === 0x28 || c0 === 0x5b, pattern: /^(?:[(\[][^)\]=]{1,20}=[^)\]]{1,20}[)\]]|\[[^\]]{1,30}기자\]|\([^()]{2,40}\))\s*/u },
  { applies: (s, c0) => c0 >= 0xac00 && c0 <= 0xd7a3 && /기자|특파원/.test(s.slice(0, 24)), pattern: /^[\p{Script=Hangul} ]{1,20}(?:특파원|기자)\s?=\s*/u },
];

/** First letters of the LABEL words: a segment starting otherwise needs no LABEL run. */
const LABEL_INITIALS = new Set('SsTtEePpAaFfLlWwKkCcGg공스인광닫');

/**
 * Removed anywhere, each pattern behind a cheap substring guard (an unanchored regex costs a few
 * µs per 3 KB even when it never matches; the e-mail pattern alone cost 30 µs unguarded).
 */
const ANYWHERE: readonly { guard: (text: string) => boolean; pattern: RegExp }[] = [
  { guard: (t) => t.includes('@'), pattern: /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gu },
  { guard: (t) => t.includes('http') || t.includes('www.'), pattern: /(?:https?:\/\/|www\.)\S+/gu },
  // Korean photo credits and bylines: "사진=국방부 제공", "[사진=연합뉴스]", "김민수 기자 ="
  { guard: (t) => t.includes('='), pattern: /[(\[]?(?:사진|그래픽|영상)\s?=\s?[^\s\])]+(?:\s?제공)?[)\]]?|[\p{Script=Hangul}]{2,4} ?(?:기자|특파원) ?= ?/gu },
];

// "(Yonhap)", "(AP)", "[AFP=Yonhap]", "(KCNA/Yonhap)", "(서울=연합뉴스)", "(국방부 제공)": a short credit.
// Sticky, tried only where a bracket opens.
const CREDIT =
  /[(\[](?:[A-Z][A-Za-z]*(?:[ /=-][A-Z][A-Za-z]*){0,2}|[^()[\]=]{1,20}=[^()[\]]{1,20}|[\p{Script=Hangul}]{2,8}\s?제공)[)\]](?=\s*$|\s*[.,]|\s+[A-Z\p{Script=Hangul}])/uy;
// A dateline inside a sentence ("Their report in full: SEOUL, March 3 (Yonhap) -- …"), matched
// backwards from its ") --".
const DATELINE_BEFORE = /[A-Z]{3,}[A-Z .'-]*, [A-Z][a-z]{2,9}\.? \d{1,2} \([^)]{2,30}\)$/u;

/**
 * Removes credits and mid-sentence datelines from a segment that has brackets, leaving a line
 * break in their place: a credit ends a caption ("Photo: … (KCNA) North Korea fired …" has no
 * full stop between caption and story), a dateline starts the story.
 */
function removeCreditsAndDatelines(text: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x28 && c !== 0x5b && c !== 0x29) continue;
    if (c === 0x29) {
      // ") --", ") —", ") –" closing a dateline that does not open the text
      const next = text.charCodeAt(i + 2);
      if (i < 12 || text.charCodeAt(i + 1) !== 0x20 || !(next === 0x2d || next === 0x2014 || next === 0x2013)) continue;
      const from = Math.max(copied, i - 70);
      const match = DATELINE_BEFORE.exec(text.slice(from, i + 1));
      if (match === null) continue;
      let end = i + 2;
      while (end < text.length && (text.charCodeAt(end) === 0x2d || text.charCodeAt(end) === 0x2014 || text.charCodeAt(end) === 0x2013)) end++;
      out += text.slice(copied, from + match.index) + '\n';
      copied = end;
      i = end - 1;
      continue;
    }
    CREDIT.lastIndex = i;
    const match = CREDIT.exec(text);
    if (match === null) continue;
    out += text.slice(copied, i) + '\n';
    copied = i + match[0].length;
    i = copied - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const SENTENCE_END = /[.!?\u3002][ \n]|\n/g;

/** Cuts after sentence-ending punctuation followed by a space, and at line breaks. */
function splitSentences(text: string): string[] {
  const segments: string[] = [];
  let start = 0;
  SENTENCE_END.lastIndex = 0;
  for (let match = SENTENCE_END.exec(text); match !== null; match = SENTENCE_END.exec(text)) {
    const end = match[0] === '\n' ? match.index : match.index + 1;
    segments.push(text.slice(start, end));
    start = match.index + match[0].length;
  }
  if (start < text.length) segments.push(text.slice(start));
  return segments;
}

/**
 * The article text without furniture. Works on whitespace-collapsed text (what htmlToPlainText
 * gives): cuts it into sentences and drops the ones that are share buttons, copyright lines,
 * captions and the like; strips datelines, bylines and agency credits. Input should be NFKC.
 */
export function stripBoilerplate(text: string): string {
  for (const { guard, pattern } of ANYWHERE) if (guard(text)) text = text.replace(pattern, ' ');
  // Every segment tested below is a substring of `text` (sentences, pieces between credits,
  // trimmed, labels and prefixes cut off), so a footer phrase absent from the whole text is
  // absent from all of them. One substring search per phrase over the text is cheaper than a
  // regex over every sentence, and most bodies have no footer phrase at all.
  const footerPhrases = FOOTER_PHRASES.filter((phrase) => text.includes(phrase));
  const kept: string[] = [];
  for (const sentence of splitSentences(text)) {
    const pieces = sentence.includes('(') || sentence.includes('[') ? removeCreditsAndDatelines(sentence).split('\n') : [sentence];
    for (const piece of pieces) keepUnlessBoilerplate(piece, footerPhrases, kept);
  }
  return kept.join(' ');
}

/** Pushes the segment, less its leading labels, datelines and bylines, unless it is furniture. */
function keepUnlessBoilerplate(segment: string, footerPhrases: readonly string[], kept: string[]): void {
  segment = segment.trim();
  for (let guard = 0; guard < 4 && segment !== ''; guard++) {
    const label = LABEL_INITIALS.has(segment[0]!) ? LABEL.exec(segment) : null;
    if (label !== null) {
      const rest = segment.slice(label[0].length);
      // "Share" alone, or before a capitalized sentence, is a button; "Share prices rose" is prose.
      if (rest === '' || /^[\p{Lu}\p{Lo}"'“‘(\d]/u.test(rest)) {
        segment = rest;
        continue;
      }
    }
    const prefix = firstPrefix(segment);
    if (prefix > 0) {
      segment = segment.slice(prefix).trim();
      continue;
    }
    break;
  }
  if (segment === '' || DROP_SEGMENT.test(segment)) return;
  if (segment.length <= FOOTER_MAX_LENGTH && footerPhrases.some((phrase) => segment.includes(phrase))) return;
  kept.push(segment);
}

function firstPrefix(segment: string): number {
  const c0 = segment.charCodeAt(0);
  for (const { applies, pattern } of SEGMENT_PREFIXES) {
    if (!applies(segment, c0)) continue;
    const match = pattern.exec(segment);
    if (match !== null && match[0].length > 0) return match[0].length;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Titles

// Leading tags: "[속보]", "【단독】", "(LEAD)", "(2nd LD)", "<인터뷰>"; several may follow each other.
const LEADING_TAG = /^\s*(?:[[【〔<〈《(（][^\]】〕>〉》)）]{1,24}[\]】〕>〉》)）]\s*[-:|]?\s*)+/u;
// Trailing tags: "(종합)", "(종합2보)", "[포토]", "(update)".
const TRAILING_TAG = /(?:\s*[[【〔<〈《(（][^\]】〕>〉》)）]{1,16}[\]】〕>〉》)）])+\s*$/u;
// Wire slugs: "UPDATE 2-", "BREAKING:", "EXCLUSIVE-", "WRAPUP 1-", "RPT-", "Breaking News:".
const WIRE_PREFIX =
  /^\s*(?:(?:update|wrapup|refile|rpt|corrected|correction|exclusive|breaking(?: news)?|urgent|analysis|factbox|explainer|instant view|live|watch|video|photos?|속보|단독|종합)(?:\s*\d+)?\s*(?:[-:–—|]\s*|\s+-\s+))+/iu;
// Outlet suffixes: " - Yonhap", " | The Korea Herald", " : 네이트 뉴스", " — Outlet". Pipes always
// separate a site name; a dash or spaced colon only when what follows is short and has no digits.
const PIPE_SUFFIX = /\s+[|｜]\s+[^|｜]{1,60}$/u;
const DASH_SUFFIX = /\s+(?:-|–|—|:|::)\s+([^-–—:|]{1,40})$/u;

/** The normalized title tokens (the stored title_key). */
export function normalizeTitle(title: string): string[] {
  let t = collapseWhitespace(title.normalize('NFKC'));
  for (let guard = 0; guard < 3; guard++) {
    const before = t;
    t = t.replace(PIPE_SUFFIX, '');
    const dash = DASH_SUFFIX.exec(t);
    if (dash !== null && !/\d/.test(dash[1]!) && dash[1]!.trim().split(' ').length <= 5 && dash.index > 0) t = t.slice(0, dash.index);
    t = t.replace(WIRE_PREFIX, '').replace(LEADING_TAG, '').replace(TRAILING_TAG, '').trim();
    if (t === before) break;
  }
  return titleTokens(t.toLowerCase());
}

function titleTokens(text: string): string[] {
  const tokens: string[] = [];
  let start = -1;
  let cjk = false;
  const flush = (end: number): void => {
    if (start >= 0) tokens.push(text.slice(start, end).replace(/,/g, ''));
    start = -1;
  };
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const size = cp > 0xffff ? 2 : 1;
    if (isCjk(cp)) {
      if (start >= 0 && !cjk) flush(i);
      if (start < 0) {
        start = i;
        cjk = true;
      }
    } else if (isWordChar(cp)) {
      if (start >= 0 && cjk) flush(i);
      if (start < 0) {
        start = i;
        cjk = false;
      }
    } else if (start >= 0 && !cjk && (cp === 0x2c || cp === 0x2e) && isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1))) {
      // keep "2,634.12" whole
    } else {
      flush(i);
    }
    i += size;
  }
  flush(text.length);
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Bucket keys

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
 * fingerprint.test.ts measures the rate on synthetic Zipf-distributed English and Korean text.
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
class OnePermutationMinHash {
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

/**
 * SimHash counters, bit-sliced: instead of 64 ±1 updates per shingle, the count of ones at each
 * bit position is kept as a binary number spread over PLANES 32-bit words (a ripple-carry add of
 * the shingle's bits, amortized about two word operations per half). Bit b of the fingerprint is
 * set when more than half of the shingles have it set: exactly the sign of the ±1 sum
 * (Charikar 2002 with unit weight per shingle occurrence).
 */
const PLANES = 24; // counts up to 2^24 shingles; bodies are capped far below (MAX_BODY_CHARS)

class SimHashCounter {
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

// ---------------------------------------------------------------------------------------------
// The signature

/** Only the first this many characters of a body are read (a 3 KB body is ~1,000–3,000). */
export const MAX_BODY_CHARS = 100_000;

/*
 * The SimHash and MinHash accumulators are reused from call to call, reset at the start of each
 * (textSignature runs to completion without yielding, so one set per thread suffices). Allocated
 * per item, their ten typed arrays cost ~1.3 µs: most are larger than the 64 bytes V8 keeps on
 * its heap, so each one was a malloc'd backing store for the garbage collector to finalize.
 */
const accumulators = {
  bodyHash: new SimHashCounter(),
  leadHash: new SimHashCounter(),
  bodyMin: new OnePermutationMinHash(BODY_BANDS * BODY_ROWS),
  leadMin: new OnePermutationMinHash(LEAD_BANDS * LEAD_ROWS),
  openingMin: new OnePermutationMinHash(OPENING_BANDS * OPENING_ROWS),
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
  for (const token of titleKey) {
    const value = /\d/.test(token) || TEMPORAL_WORDS.includes(token) ? token : KOREAN_WEEKDAY.exec(token)?.[0];
    if (value !== undefined && !numberSeen.has(value) && numbers.length < MAX_NUMBERS) {
      numberSeen.add(value);
      numbers.push(value);
    }
  }

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

  const bucketKeys: bigint[] = [];
  if (bodyMin.densify()) bodyMin.bandKeys(BODY_ROWS, KEY_KIND_BODY, bucketKeys);
  if (leadMin.densify()) leadMin.bandKeys(LEAD_ROWS, KEY_KIND_LEAD, bucketKeys);
  if (openingMin.densify()) openingMin.bandKeys(OPENING_ROWS, KEY_KIND_OPENING, bucketKeys);
  if (titleFeatureCount(titleKey) >= MIN_TITLE_FEATURES) {
    const h = fnv1a32(titleKey.join(' '));
    bucketKeys.push(toSigned64(hash3(h, titleKey.length, KEY_KIND_TITLE, 0x510e527f), hash3(h, titleKey.length, KEY_KIND_TITLE, 0x9b05688c)));
  }

  return {
    fingerprint: bodyHash.count > 0 ? bodyHash.fingerprint() : 0n,
    leadFingerprint: leadHash.count > 0 ? leadHash.fingerprint() : 0n,
    bucketKeys,
    titleKey,
    numbers,
    length: tokens,
  };
}

// ---------------------------------------------------------------------------------------------
// Title features (shared with story-match.ts)

/**
 * Title similarity features: words in spaced scripts; character bigrams over each run of
 * Hangul/Han/Kana tokens (joined across spaces, so "탄도 미사일" and "탄도미사일" agree; a lone
 * character counts as itself).
 */
export function titleFeatures(titleKey: readonly string[]): Set<string> {
  const features = new Set<string>();
  let run = '';
  const flushRun = (): void => {
    if (run.length === 1) features.add(run);
    for (let i = 0; i + 1 < run.length; i++) features.add(run.slice(i, i + 2));
    run = '';
  };
  for (const token of titleKey) {
    const cp = token.codePointAt(0) ?? 0;
    if (isCjk(cp)) run += token;
    else {
      flushRun();
      features.add(token);
    }
  }
  flushRun();
  return features;
}

function titleFeatureCount(titleKey: readonly string[]): number {
  return titleFeatures(titleKey).size;
}
