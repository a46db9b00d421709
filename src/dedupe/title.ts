/**
 * Titles: the normalized title key (bracket tags, wire slugs and outlet suffixes removed) that
 * is stored with each signature, its similarity features, and the similarity story-match.ts
 * compares titles by.
 */
import { collapseWhitespace } from '../text/html-text.ts';
import { isCjk, isDigit, isWordChar } from './characters.ts';

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

export function titleFeatureCount(titleKey: readonly string[]): number {
  return titleFeatures(titleKey).size;
}

/** Dice coefficient 2|A∩B| / (|A|+|B|) over titleFeatures (words; CJK character bigrams). */
export function titleSimilarity(a: readonly string[], b: readonly string[]): number {
  const fa = titleFeatures(a);
  const fb = titleFeatures(b);
  if (fa.size === 0 || fb.size === 0) return 0;
  let shared = 0;
  for (const f of fa) if (fb.has(f)) shared++;
  return (2 * shared) / (fa.size + fb.size);
}
