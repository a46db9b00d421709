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
 *   (signature_version smallint: SIGNATURE_VERSION; signatures of different versions are not comparable)
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
 * 64-bit hash; the fingerprint is the sign pattern. The expected Hamming distance of two
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
 * bucket_keys: see bucketKeys() below (MinHash bands, Broder 1997; the banding scheme of
 * Indyk & Motwani 1998 as applied in Manku et al. 2007 to keep the look-up an index probe).
 *
 * All hashing is 32-bit integer arithmetic (FNV-1a for tokens, the MurmurHash3 finalizer for
 * mixing) with fixed seeds: identical on every platform and run. Cost is linear in the text:
 * one pass to clean, one to tokenize, and per shingle 64 counter updates plus 30 MinHash
 * updates (about 30 µs for a 3 KB body on one core; see fingerprint.test.ts).
 */

/** Bump when any feature, hash or key changes: stored signatures of another version must be recomputed. */
export const SIGNATURE_VERSION = 1;

export interface TextSignature {
  /** SimHash of the body shingles, as a signed 64-bit integer (fits Postgres bigint). */
  fingerprint: bigint;
  /** SimHash of the shingles of the body's first LEAD_TOKENS tokens (the lede). */
  leadFingerprint: bigint;
  /** LSH keys (signed 64-bit each, at most MAX_BUCKET_KEYS); near-duplicates share at least one. */
  bucketKeys: bigint[];
  /** Normalized title tokens: bracket tags, wire prefixes and outlet suffixes removed, NFKC, lower case. */
  titleKey: string[];
  /** First MAX_NUMBERS distinct numbers (digits folded: "2,634.12" → "2634.12") and weekday/month names, title first. */
  numbers: string[];
  /** Token count of the cleaned body (a run of Hangul/Han/Kana counts as one token, like a Korean eojeol). */
  length: number;
}

/** Units per shingle: word 3-grams in spaced scripts, character 3-grams in Hangul/Han/Kana. */
export const SHINGLE_UNITS = 3;
/** The lede is the first this many body tokens (about the first sentence in English, two in Korean). */
export const LEAD_TOKENS = 32;
/** How many distinct numbers are kept. The first ones: a shortened copy keeps a prefix of them. */
export const MAX_NUMBERS = 12;
export const MAX_BUCKET_KEYS = 16;

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

function isWordChar(cp: number, ch: string): boolean {
  if (cp < 0x80) return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a);
  return WORD_CHAR.test(ch);
}

function isDigit(cp: number): boolean {
  return cp >= 0x30 && cp <= 0x39;
}

// Weekday and month names carry the date as much as digits do ("on Tuesday").
const TEMPORAL_WORDS = [
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
  'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
];
const TEMPORAL_BY_HASH: ReadonlyMap<number, string> = new Map(TEMPORAL_WORDS.map((w) => [fnv1a32(w), w]));
// Korean weekdays: 월요일 … 일요일 (the day character followed by 요일).
const KOREAN_WEEKDAY = /^[월화수목금토일]요일/;

// ---------------------------------------------------------------------------------------------
// Tokenizer: one pass over NFKC lower-cased text, hashes computed while scanning (no substrings
// except for numbers).

interface Units {
  /** Unit hashes (a word, or one CJK character). */
  hashes: Uint32Array;
  /** Index of the token each unit belongs to (a CJK run is one token). */
  tokenOf: Uint32Array;
  count: number;
  tokens: number;
}

function scan(text: string, numbers: string[] | null, numberSeen: Set<string> | null): Units {
  const hashes = new Uint32Array(text.length + 1);
  const tokenOf = new Uint32Array(text.length + 1);
  let count = 0;
  let tokens = 0;
  let inWord = false;
  let inCjk = false;
  let wordHash = FNV_OFFSET;
  let wordStart = 0;
  let wordHasDigit = false;
  let cjkStart = 0;

  const endWord = (end: number): void => {
    if (!inWord) return;
    inWord = false;
    hashes[count] = wordHash >>> 0;
    tokenOf[count] = tokens;
    count++;
    tokens++;
    if (numbers !== null && numberSeen !== null && numbers.length < MAX_NUMBERS) {
      if (wordHasDigit) {
        const raw = text.slice(wordStart, end).replace(/,/g, '');
        if (!numberSeen.has(raw)) {
          numberSeen.add(raw);
          numbers.push(raw);
        }
      } else {
        const temporal = TEMPORAL_BY_HASH.get(wordHash >>> 0);
        if (temporal !== undefined && text.slice(wordStart, end) === temporal && !numberSeen.has(temporal)) {
          numberSeen.add(temporal);
          numbers.push(temporal);
        }
      }
    }
  };
  const endCjk = (end: number): void => {
    if (!inCjk) return;
    inCjk = false;
    tokens++;
    if (numbers !== null && numberSeen !== null && numbers.length < MAX_NUMBERS) {
      const run = text.slice(cjkStart, end);
      const weekday = KOREAN_WEEKDAY.exec(run)?.[0];
      if (weekday !== undefined && !numberSeen.has(weekday)) {
        numberSeen.add(weekday);
        numbers.push(weekday);
      }
    }
  };

  const length = text.length;
  for (let i = 0; i < length; ) {
    const cp = text.codePointAt(i)!;
    const size = cp > 0xffff ? 2 : 1;
    if (isCjk(cp)) {
      endWord(i);
      if (!inCjk) {
        inCjk = true;
        cjkStart = i;
      }
      hashes[count] = fmix32(cp ^ 0x5f3759df);
      tokenOf[count] = tokens;
      count++;
    } else if (isWordChar(cp, size === 1 ? text[i]! : text.slice(i, i + 2))) {
      endCjk(i);
      if (!inWord) {
        inWord = true;
        wordStart = i;
        wordHash = FNV_OFFSET;
        wordHasDigit = false;
      }
      if (isDigit(cp)) wordHasDigit = true;
      wordHash = imul(wordHash ^ cp, FNV_PRIME);
    } else if (
      inWord &&
      wordHasDigit &&
      (cp === 0x2c || cp === 0x2e) && // "2,634.12": separators between digits stay in the number
      isDigit(text.charCodeAt(i - 1)) &&
      isDigit(text.charCodeAt(i + 1))
    ) {
      if (cp === 0x2e) wordHash = imul(wordHash ^ cp, FNV_PRIME);
    } else {
      endWord(i);
      endCjk(i);
    }
    i += size;
  }
  endWord(length);
  endCjk(length);
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
      '무단\\s?전재', '저작권자', 'ⓒ', '<저작권자', '\\[?사진\\s?=', '\\(?사진\\s?=', '\\[?그래픽\\s?=', '▶', '☞', '■\\s?관련', '관련\\s?기사',
      '기사\\s?제보', '구독', '공유하기', '좋아요', '많이 본 뉴스', '이 기사를 추천',
    ].join('|') +
    ')',
  'iu',
);

/** Labels that are boilerplate when they are all a segment holds, or when they precede a capitalized sentence. */
const LABEL =
  /^(?:share|tweet|e-?mail|print|advertisement|sponsored|facebook|twitter|linkedin|whatsapp|kakaotalk|link copied|copy link|gift this article|공유하기|공유|스크랩|인쇄|광고|닫기)(?![\p{L}\p{N}])[\s:|·•]*/iu;

/** Prefixes cut from a segment (the rest is kept). */
const SEGMENT_PREFIXES: readonly RegExp[] = [
  // Wire datelines: "SEOUL, March 3 (Yonhap) --", "WASHINGTON (AP) —"
  /^[A-Z][A-Z .'-]{1,40}(?:, [A-Z][a-z]{2,9}\.? \d{1,2})?(?: \([^)]{2,30}\))? (?:--|—|–)\s*/u,
  // Bylines: "By Kim Min-su, Staff Reporter", "By Jane Doe |"
  /^[Bb]y [A-Z][\p{L}.'-]+(?: [A-Z][\p{L}.'-]+){0,3}(?:,? (?:[Ss]taff |[Ss]enior |[Cc]hief )?(?:[Rr]eporter|[Ww]riter|[Cc]orrespondent|[Ee]ditor)s?)?(?:\s*[|,;:-]\s*|\s+(?=[A-Z]))/u,
  // Time stamps: "Updated: 2026-03-03 10:32 KST", "입력 2026.03.03 10:32"
  /^(?:updated|published|posted|last updated|입력|수정|승인|기사입력)\s*:?\s*[\d\s.:/-]{6,}(?:kst|gmt|utc|[ap]m)?\s*/iu,
  // Korean datelines and bylines: "(서울=한빛통신) 김민수 기자 =", "[매일한결신문 이지은 기자]"
  /^[(\[][^)\]=]{1,20}=[^)\]]{1,20}[)\]]\s*/u,
  /^\[[^\]]{1,30}기자\]\s*/u,
  /^[\p{Script=Hangul} ]{1,20}(?:특파원|기자)\s?=\s*/u,
  // A lone credit opening a segment: "(Peninsula Times) North Korea…"
  /^\([^()]{2,40}\)\s*/u,
];

/** Removed anywhere: e-mail addresses, URLs, agency credits in parentheses. */
const ANYWHERE = new RegExp(
  [
    '[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+',
    'https?://\\S+',
    'www\\.\\S+',
    // "(Yonhap)", "(AP)", "[AFP=Yonhap]", "(KCNA/Yonhap)", "(사진=연합뉴스)": a short credit
    '[(\\[](?:[A-Z][A-Za-z]*(?:[ /=-][A-Z][A-Za-z]*){0,2}|[^()\\[\\]=]{1,20}=[^()\\[\\]]{1,20}|[\\p{Script=Hangul}]{2,8}\\s?제공)[)\\]](?=\\s*$|\\s*[.,]|\\s+[A-Z\\p{Script=Hangul}])',
  ].join('|'),
  'gu',
);

const SENTENCE_END = /(?<=[.!?。])\s+|\s*\n\s*/u;

/**
 * The article text without furniture. Works on whitespace-collapsed text (what htmlToPlainText
 * gives): cuts it into sentences and drops the ones that are share buttons, copyright lines,
 * captions and the like; strips datelines, bylines and agency credits. Input should be NFKC.
 */
export function stripBoilerplate(text: string): string {
  const kept: string[] = [];
  for (let segment of text.replace(ANYWHERE, ' ').split(SENTENCE_END)) {
    segment = segment.trim();
    for (let guard = 0; guard < 4 && segment !== ''; guard++) {
      const label = LABEL.exec(segment);
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
    if (segment === '' || DROP_SEGMENT.test(segment)) continue;
    kept.push(segment);
  }
  return kept.join(' ');
}

function firstPrefix(segment: string): number {
  for (const pattern of SEGMENT_PREFIXES) {
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
  let t = title.normalize('NFKC').replace(/\s+/g, ' ').trim();
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
    const ch = size === 1 ? text[i]! : text.slice(i, i + 2);
    if (isCjk(cp)) {
      if (start >= 0 && !cjk) flush(i);
      if (start < 0) {
        start = i;
        cjk = true;
      }
    } else if (isWordChar(cp, ch)) {
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
 * - one key from the whole normalized title (when it has at least MIN_TITLE_FEATURES features):
 *   catches headline-only and very short copies, which have no usable shingles.
 *
 * Candidate budget. With N items in the window, an item's expected candidate count is
 * N · Σ_keys Pr[random pair shares that key]. For unrelated news the shingle resemblance is
 * J ≈ 0.005–0.02 (shared stock phrases: "according to the", "했다고 밝혔다"), so a band of 3 collides
 * with Pr ≈ J³ ≤ 8·10⁻⁶ and the 10 bands give ≤ 8·10⁻⁵ at J = 0.02 and ~10⁻⁶ at J = 0.005: at N =
 * 1,000,000, a few to tens of candidates (the rarer J = 0.02 pairs dominate). r = 2 would give
 * N · 10 · J² ≈ 250–4,000: too many. The title key collides only for identical normalized titles
 * (recurring titles like "Weather": one per day and outlet, so ≤ 7 × outlets in a window).
 * fingerprint.test.ts measures the rate on synthetic Zipf-distributed text.
 * The 32-bit MinHash values themselves collide by accident with Pr 2⁻³² per value, negligible.
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
const MIN_TITLE_FEATURES = 4;
const MINHASH_COUNT = BODY_BANDS * BODY_ROWS + LEAD_BANDS * LEAD_ROWS;
const MINHASH_SEEDS = Uint32Array.from({ length: MINHASH_COUNT }, (_, i) => fmix32(0x2f6b3c1d + imul(i + 1, 0x9e3779b9)));
const KEY_KIND_BODY = 0x62;
const KEY_KIND_LEAD = 0x6c;
const KEY_KIND_TITLE = 0x74;

function bandKeys(mins: Uint32Array, offset: number, bands: number, rows: number, kind: number, out: bigint[]): void {
  for (let b = 0; b < bands; b++) {
    let lo = imul(kind, 0x01000193) ^ b;
    let hi = fmix32(kind + b * 0x10001);
    for (let r = 0; r < rows; r++) {
      const v = mins[offset + b * rows + r]!;
      lo = hash3(lo, v, r, 0x3c6ef372);
      hi = hash3(hi, v, r, 0xa54ff53a);
    }
    out.push(toSigned64(hi, lo));
  }
}

// ---------------------------------------------------------------------------------------------
// The signature

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

  const body = stripBoilerplate(input.text.normalize('NFKC')).toLowerCase();
  const units = scan(body, numbers, numberSeen);
  const { hashes, tokenOf, count } = units;

  const counts = new Int32Array(64);
  const leadCounts = new Int32Array(64);
  const mins = new Uint32Array(MINHASH_COUNT).fill(0xffffffff);
  const leadOffset = BODY_BANDS * BODY_ROWS;
  let shingles = 0;
  let leadShingles = 0;

  const shingleCount = count >= SHINGLE_UNITS ? count - SHINGLE_UNITS + 1 : count > 0 ? 1 : 0;
  for (let j = 0; j < shingleCount; j++) {
    const a = hashes[j]!;
    const b = count > j + 1 ? hashes[j + 1]! : 0x9e3779b9;
    const c = count > j + 2 ? hashes[j + 2]! : 0x7f4a7c15;
    const lo = hash3(a, b, c, 0x1b873593);
    const hi = hash3(a, b, c, 0xe6546b64);
    const inLead = tokenOf[j]! < LEAD_TOKENS;
    shingles++;
    for (let bit = 0; bit < 32; bit++) {
      counts[bit]! += ((lo >>> bit) & 1) * 2 - 1;
      counts[bit + 32]! += ((hi >>> bit) & 1) * 2 - 1;
    }
    for (let m = 0; m < leadOffset; m++) {
      const v = fmix32(lo ^ MINHASH_SEEDS[m]!);
      if (v < mins[m]!) mins[m] = v;
    }
    if (inLead) {
      leadShingles++;
      for (let bit = 0; bit < 32; bit++) {
        leadCounts[bit]! += ((lo >>> bit) & 1) * 2 - 1;
        leadCounts[bit + 32]! += ((hi >>> bit) & 1) * 2 - 1;
      }
      for (let m = leadOffset; m < MINHASH_COUNT; m++) {
        const v = fmix32(lo ^ MINHASH_SEEDS[m]!);
        if (v < mins[m]!) mins[m] = v;
      }
    }
  }

  const bucketKeys: bigint[] = [];
  if (shingles > 0) bandKeys(mins, 0, BODY_BANDS, BODY_ROWS, KEY_KIND_BODY, bucketKeys);
  if (leadShingles > 0) bandKeys(mins, leadOffset, LEAD_BANDS, LEAD_ROWS, KEY_KIND_LEAD, bucketKeys);
  if (titleFeatureCount(titleKey) >= MIN_TITLE_FEATURES) {
    const h = fnv1a32(titleKey.join(' '));
    bucketKeys.push(toSigned64(hash3(h, titleKey.length, KEY_KIND_TITLE, 0x510e527f), hash3(h, titleKey.length, KEY_KIND_TITLE, 0x9b05688c)));
  }

  return {
    fingerprint: signsToBigint(counts),
    leadFingerprint: signsToBigint(leadCounts),
    bucketKeys,
    titleKey,
    numbers,
    length: units.tokens,
  };
}

function signsToBigint(counts: Int32Array): bigint {
  let lo = 0;
  let hi = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (counts[bit]! > 0) lo |= 1 << bit;
    if (counts[bit + 32]! > 0) hi |= 1 << bit;
  }
  return toSigned64(hi, lo);
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
