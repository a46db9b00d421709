import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BUCKET_KEY_COUNT,
  fingerprintFromHex,
  fingerprintToHex,
  hammingDistance,
  MAX_BODY_CHARS,
  normalizeTitle,
  stripBoilerplate,
  textSignature,
  type TextSignature,
} from '../../../src/dedupe/index.ts';

interface LabeledItem {
  id: string;
  source: string;
  title: string;
  text: string;
  story: string;
}
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/dedupe/labeled-set.json', import.meta.url), 'utf8')) as { items: LabeledItem[] };
const item = (id: string): LabeledItem => fixture.items.find((i) => i.id === id)!;
const wire = item('i01'); // English wire story, ~220 words
const koWire = item('i42'); // Korean wire story

const sharesKey = (a: TextSignature, b: TextSignature): boolean => a.bucketKeys.some((k) => b.bucketKeys.includes(k));

/** Deterministic PRNG (mulberry32) for synthetic text. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf(1) sampler over `size` ranks: frequent words recur across documents, like "the" and "했다". */
function zipf(size: number, random: () => number): () => number {
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let r = 0; r < size; r++) cumulative[r] = total += 1 / (r + 1);
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Synthetic news-like documents: Zipf-distributed words in sentences, English-like or Korean-like. */
function syntheticCorpus(count: number, seed: number): { title: string; text: string }[] {
  const random = prng(seed);
  const letters = 'etaoinshrdlucmfwypvbgkjqxz';
  const english = Array.from({ length: 20_000 }, () => {
    let w = '';
    const length = 2 + Math.floor(random() * 8);
    for (let i = 0; i < length; i++) w += letters[Math.floor(random() ** 1.5 * letters.length)];
    return w;
  });
  // Korean: stems from the 600 most common-looking syllables, plus real particles and endings.
  const syllables = Array.from({ length: 600 }, () => String.fromCharCode(0xac00 + Math.floor(random() * 11172)));
  const stems = Array.from({ length: 8_000 }, () => {
    let w = '';
    const length = 1 + Math.floor(random() * 3);
    for (let i = 0; i < length; i++) w += syllables[Math.floor(random() ** 2 * syllables.length)];
    return w;
  });
  const particles = ['이', '가', '은', '는', '을', '를', '에', '에서', '으로', '의', '와', '도', '했다', '밝혔다', '있다', '것으로', '했다고'];
  const pickEnglish = zipf(english.length, random);
  const pickStem = zipf(stems.length, random);
  const docs: { title: string; text: string }[] = [];
  for (let d = 0; d < count; d++) {
    const korean = d % 4 === 3;
    const word = (): string =>
      korean ? stems[pickStem()]! + (random() < 0.6 ? particles[Math.floor(random() * particles.length)]! : '') : english[pickEnglish()]!;
    const words = (n: number): string => Array.from({ length: n }, word).join(' ');
    const sentences: string[] = [];
    const target = korean ? 90 + Math.floor(random() * 120) : 150 + Math.floor(random() * 200);
    for (let n = 0; n < target; ) {
      const length = 10 + Math.floor(random() * 15);
      sentences.push(`${words(length)}.`);
      n += length;
    }
    docs.push({ title: words(6 + Math.floor(random() * 6)), text: sentences.join(' ') });
  }
  return docs;
}

describe('textSignature', () => {
  it('is deterministic: the same input gives the same signature, pinned to known values', () => {
    const a = textSignature({ title: wire.title, text: wire.text });
    const b = textSignature({ title: wire.title, text: wire.text });
    expect(b).toEqual(a);
    // Pinned: a change here means stored signatures are stale (bump SIGNATURE_VERSION).
    expect(fingerprintToHex(a.fingerprint)).toBe('3cc0624f7fba406c');
    expect(fingerprintToHex(a.leadFingerprint)).toBe('b0a2a8eecbbcc529');
    expect(a.bucketKeys[0]).toBe(4945033881458498535n);
    expect(a.bucketKeys.at(-1)).toBe(5395037192517267202n);
  });

  it('produces signed 64-bit values that fit Postgres bigint, and hex that round-trips', () => {
    const min = -(2n ** 63n);
    const max = 2n ** 63n - 1n;
    for (const i of fixture.items.slice(0, 20)) {
      const s = textSignature({ title: i.title, text: i.text });
      for (const value of [s.fingerprint, s.leadFingerprint, ...s.bucketKeys]) {
        expect(value >= min && value <= max).toBe(true);
        expect(fingerprintFromHex(fingerprintToHex(value))).toBe(value);
      }
    }
    expect(fingerprintToHex(-1n)).toBe('ffffffffffffffff');
    expect(hammingDistance(-1n, 0n)).toBe(64);
  });

  it('ignores boilerplate: share buttons, source links, copyright lines, bylines, datelines, captions, credits', () => {
    const clean = textSignature({ title: wire.title, text: wire.text });
    const dressed = [
      'Share',
      'By Park Ji-won, Staff Reporter',
      'Updated: 2026-03-03 10:32 KST',
      'Photo: A television at Seoul Station shows a news report on March 3, 2026. (Peninsula Times)',
      wire.text,
      'Share Source link',
      'Read more: North Korea fires missiles as allies begin drills',
      'Related articles N. Korea slams drills Kim inspects destroyer',
      'Contact the reporter at jiwon@dailypost.example or https://dailypost.example/staff/park',
      '© 2026 Seoul Daily Post. All rights reserved.',
    ].join(' ');
    const signature = textSignature({ title: wire.title, text: dressed });
    expect(hammingDistance(signature.fingerprint, clean.fingerprint)).toBe(0);
    expect(signature.numbers).toEqual(clean.numbers);
    // A caption run into the story without a full stop ends at its credit.
    const captioned = textSignature({ title: wire.title, text: `Photo: Kim Jong Un watches the launch from an observation post (KCNA/Hanbit) ${wire.text}` });
    expect(captioned.leadFingerprint).toBe(clean.leadFingerprint);
  });

  it('strips Korean wire furniture: datelines, bylines, photo credits, e-mails and copyright footers', () => {
    expect(
      stripBoilerplate(
        '(서울=한빛통신) 김민수 기자 = 북한이 3일 미사일을 발사했다. 사진=국방부 제공 minsu@hanbit.example <저작권자(c) 한빛통신, 무단 전재-재배포 금지>',
      ),
    ).toBe('북한이 3일 미사일을 발사했다.');
    expect(stripBoilerplate('▲ 시민들이 뉴스를 보고 있다. [사진=매일신문] 북한이 미사일을 쐈다. ⓒ 매일신문 무단전재 및 재배포 금지'.normalize('NFKC'))).toBe(
      '북한이 미사일을 쐈다.',
    );
  });

  it('keeps prose that merely starts with a boilerplate word', () => {
    expect(stripBoilerplate('Share prices rose 2 percent on Monday. Print runs were cut.')).toBe('Share prices rose 2 percent on Monday. Print runs were cut.');
  });

  it('cuts Korean into character 3-grams, so spacing and eojeol boundaries do not matter', () => {
    const spaced = textSignature({ title: '', text: '북한이 동해상으로 단거리 탄도 미사일을 발사했다고 합동참모본부가 밝혔다.' });
    const joined = textSignature({ title: '', text: '북한이 동해상으로 단거리 탄도미사일을 발사했다고 합동 참모본부가 밝혔다.' });
    expect(joined.fingerprint).toBe(spaced.fingerprint);
    // A different particle changes only the few 3-grams that contain it; an independent report
    // of the same launch shares words ("탄도미사일", "620km") but not sentences.
    const full = textSignature({ title: koWire.title, text: koWire.text });
    const particle = textSignature({ title: koWire.title, text: koWire.text.replace('북한이 3일', '북한은 3일') });
    const independent = textSignature({ title: item('i47').title, text: item('i47').text });
    expect(hammingDistance(full.fingerprint, particle.fingerprint)).toBeLessThanOrEqual(8);
    expect(hammingDistance(full.fingerprint, independent.fingerprint)).toBeGreaterThan(20);
    // length counts eojeol (space-separated Hangul runs) like English words.
    expect(spaced.length).toBe(8);
  });

  it('normalizes titles: bracket tags, wire slugs, outlet suffixes, case, width and punctuation', () => {
    const key = ['n', 'korea', 'fires', 'missile', 'into', 'east', 'sea'];
    for (const title of [
      'N. Korea fires missile into East Sea',
      '(LEAD) N. Korea fires missile into East Sea',
      '(2nd LD) N. Korea fires missile into East Sea - Yonhap',
      'UPDATE 2-N. Korea fires missile into East Sea',
      'BREAKING: N. Korea fires missile into East Sea | The Korea Herald',
      'Ｎ. Ｋｏｒｅａ  fires MISSILE into East Sea!',
    ]) {
      expect(normalizeTitle(title), title).toEqual(key);
    }
    expect(normalizeTitle('[속보] 北, 동해상으로 탄도미사일 발사(종합2보) : 네이트 뉴스')).toEqual(['北', '동해상으로', '탄도미사일', '발사']);
    expect(normalizeTitle('[단독] 코스피, 2,630선 회복')).toEqual(['코스피', '2630', '선', '회복']);
    // A dash that is part of the headline, with digits after it, stays.
    expect(normalizeTitle('Seoul stocks - up 2% at noon')).toEqual(['seoul', 'stocks', 'up', '2', 'at', 'noon']);
  });

  it('collects the numbers, dates and weekdays that tell template stories apart', () => {
    const s = textSignature({
      title: 'Seoul shares close at 2,634.12',
      text: 'Seoul shares closed higher on Tuesday. The KOSPI rose 21.47 points, or 0.82 percent, to 2,634.12. 화요일인 3일 코스피는 상승했다.',
    });
    expect(s.numbers).toEqual(['2634.12', 'tuesday', '21.47', '0.82', '화요일', '3']);
  });

  it('gives every item the same small number of bucket keys', () => {
    for (const i of fixture.items.filter((x) => x.text.length > 200)) {
      expect(textSignature({ title: i.title, text: i.text }).bucketKeys).toHaveLength(BUCKET_KEY_COUNT);
    }
    expect(BUCKET_KEY_COUNT).toBeLessThanOrEqual(16);
    // No body and a two-word title: nothing worth a key (an empty-body key would be one giant bucket).
    expect(textSignature({ title: 'Weather', text: '' }).bucketKeys).toEqual([]);
  });

  it('gives near-duplicates a shared bucket key, and unrelated stories none', () => {
    const original = textSignature({ title: wire.title, text: wire.text });
    const paragraphs = wire.text.split(/(?<=\.) (?=[A-Z"])/);
    const copies = {
      retitled: textSignature({ title: 'Pyongyang launches again', text: `Share ${wire.text} Source link` }),
      shortened: textSignature({ title: 'Pyongyang launches again', text: paragraphs.slice(0, 2).join(' ') }),
      flash: textSignature({ title: 'Pyongyang launches again', text: paragraphs[0]! }),
      edited: textSignature({
        title: 'Pyongyang launches again',
        text: wire.text.replace('North Korea fired', 'N. Korea fired').replace('about 620 kilometers', 'some 620 km').replace('a text message', 'a message'),
      }),
    };
    for (const [name, copy] of Object.entries(copies)) expect(sharesKey(original, copy), name).toBe(true);
    // (The launch six days later shares three paragraphs word for word: it is a candidate, and
    // compareSignatures turns it down; see story-match.test.ts.)
    const unrelated = fixture.items.filter((i) => !i.story.startsWith('missile-'));
    for (const other of unrelated) expect(sharesKey(original, textSignature({ title: other.title, text: other.text })), other.id).toBe(false);
  });

  it('keeps the candidate rate within budget: < 50 per item at 1,000,000 items in the window (synthetic text)', () => {
    const docs = syntheticCorpus(4000, 20260303);
    const signatures = docs.map((d) => textSignature(d));
    const buckets = new Map<bigint, number[]>();
    signatures.forEach((s, index) => {
      for (const key of s.bucketKeys) {
        const list = buckets.get(key);
        if (list === undefined) buckets.set(key, [index]);
        else list.push(index);
      }
    });
    const pairs = new Set<number>();
    for (const list of buckets.values()) {
      for (let x = 0; x < list.length; x++) for (let y = x + 1; y < list.length; y++) pairs.add(list[x]! * docs.length + list[y]!);
    }
    const allPairs = (docs.length * (docs.length - 1)) / 2;
    const rate = pairs.size / allPairs;
    const perItemAtMillion = rate * 999_999;
    console.log(
      `bucket keys: ${docs.length} synthetic items (1/4 Korean-like), ${pairs.size} of ${allPairs} pairs share a key ` +
        `(rate ${rate.toExponential(2)}), so ~${perItemAtMillion.toFixed(1)} candidates per item at 1,000,000 items in the window`,
    );
    expect(perItemAtMillion).toBeLessThan(50);
  });

  // How long signing takes is the bench's figure (bench/pure.ts: a 3 KB body, and 30 times
  // that, whose ratio shows a quadratic step); these check the work it does.
  const english3k = (() => {
    let text = fixture.items
      .filter((i) => i.source === 'hanbit-wire')
      .map((i) => i.text)
      .join(' ');
    while (Buffer.byteLength(text) > 3072) text = text.slice(0, text.lastIndexOf(' '));
    return text;
  })();

  it('reads at most MAX_BODY_CHARS of a body: a longer one signs as its first MAX_BODY_CHARS', () => {
    const long = Array.from({ length: 100 }, () => english3k).join(' ');
    expect(long.length).toBeGreaterThan(2 * MAX_BODY_CHARS);
    expect(textSignature({ title: 'long', text: long })).toEqual(textSignature({ title: 'long', text: long.slice(0, MAX_BODY_CHARS) }));
  });

  it('counts every token of a long body once: 30 copies of a 3 KB body have 30 times its tokens', () => {
    const one = textSignature({ title: 'long', text: english3k });
    const thirty = textSignature({ title: 'long', text: Array.from({ length: 30 }, () => english3k).join(' ') });
    expect(one.length).toBeGreaterThan(400);
    expect(thirty.length).toBe(30 * one.length);
  });

  it.each([
    ['one word', 'a'.repeat(MAX_BODY_CHARS), 1],
    ['one Hangul run', '북'.repeat(MAX_BODY_CHARS), 1],
    ['open parentheses', '('.repeat(MAX_BODY_CHARS), 0],
    ['brackets', '[x'.repeat(MAX_BODY_CHARS / 2), MAX_BODY_CHARS / 2],
    ['one-word sentences', 'a. '.repeat(MAX_BODY_CHARS / 3), Math.floor(MAX_BODY_CHARS / 3)],
    ['credit lines', '(Yonhap '.repeat(MAX_BODY_CHARS / 8), MAX_BODY_CHARS / 8],
    ['datelines', 'SEOUL, March 3 (Yonhap) -- '.repeat(MAX_BODY_CHARS / 27), 0],
    ['caption labels', 'Photo: '.repeat(MAX_BODY_CHARS / 7), 0],
  ])('signs a body of MAX_BODY_CHARS of %s', (_name, text, tokens) => {
    const signature = textSignature({ title: 'x', text });
    expect(signature.length).toBe(tokens);
    expect(signature.fingerprint === 0n).toBe(tokens === 0);
  });
});
