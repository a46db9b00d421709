/**
 * The numbers of a signature: template stories (daily weather, market closes) and repeated
 * events are worded alike and differ in their numbers, dates and weekdays, so the first
 * MAX_NUMBERS distinct ones (title first, then body) are kept for story-match.ts to compare.
 * The tokenizer reports every word that may be one (noteWord, noteCjkRun) while it scans.
 */
import { fnv1a32 } from './hashing.ts';

// Weekday and month names carry the date as much as digits do ("on Tuesday"). Not "may": a verb.
const TEMPORAL_WORDS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
  'january',
  'february',
  'march',
  'april',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
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
export const mayBeTemporal = (hash: number): boolean => TEMPORAL_FILTER[hash & TEMPORAL_FILTER_MASK] === 1 && TEMPORAL_HASHES.has(hash | 0);
// Korean weekdays: 월요일 … 일요일 (the day character followed by 요일).
const KOREAN_WEEKDAY = /^[월화수목금토일]요일/;

/** How many distinct numbers are kept. The first ones: a shortened copy keeps a prefix of them. */
export const MAX_NUMBERS = 12;

/** Adds a finished word's number (or weekday/month name) to `numbers` while there is room. */
export function noteWord(text: string, start: number, end: number, hash: number, hasDigit: boolean, numbers: string[], seen: Set<string>): void {
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
export function noteCjkRun(text: string, start: number, numbers: string[], seen: Set<string>): void {
  if (numbers.length >= MAX_NUMBERS || text.charCodeAt(start + 1) !== 0xc694 /* 요 */) return;
  const weekday = KOREAN_WEEKDAY.exec(text.slice(start, start + 3))?.[0];
  if (weekday !== undefined && !seen.has(weekday)) {
    seen.add(weekday);
    numbers.push(weekday);
  }
}

/** Adds the numbers (and weekday/month names) among the normalized title tokens to `numbers`. */
export function noteTitleNumbers(titleKey: readonly string[], numbers: string[], seen: Set<string>): void {
  for (const token of titleKey) {
    const value = /\d/.test(token) || TEMPORAL_WORDS.includes(token) ? token : KOREAN_WEEKDAY.exec(token)?.[0];
    if (value !== undefined && !seen.has(value) && numbers.length < MAX_NUMBERS) {
      seen.add(value);
      numbers.push(value);
    }
  }
}
