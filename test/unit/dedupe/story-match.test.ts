import { describe, expect, it } from 'vitest';
import {
  chooseStory,
  compareSignatures,
  DEFAULT_THRESHOLDS,
  groupBySignature,
  textSignature,
  titleSimilarity,
  type StoryCandidate,
  type TextSignature,
} from '../../../src/dedupe/index.ts';
import { labeledItems } from '../../helpers/labeled-set.ts';

const byId = new Map(labeledItems.map((i) => [i.id, i]));
const sig = (id: string): TextSignature => {
  const i = byId.get(id)!;
  return textSignature({ title: i.title, text: i.text });
};
const compare = (a: string, b: string) => compareSignatures(sig(a), sig(b));

describe('compareSignatures', () => {
  it('calls a repost with share buttons, a copyright line and an outlet suffix the same story, and says why', () => {
    const result = compare('i01', 'i03'); // wire story / daily's copy " - Seoul Daily Post"
    expect(result).toMatchObject({ same: true, hammingDistance: 0, titleSimilarity: 1 });
    expect(result.reason).toBe('body fingerprints differ in 0 of 64 bits (near-identical) and titles are 100% alike');
  });

  it('matches a copy with a rewritten title when the bodies are the same text', () => {
    const result = compare('i36', 'i37'); // "Seoul apartment prices rise…" / "Gangnam demand pushes…"
    expect(result.titleSimilarity).toBeLessThan(0.5);
    expect(result.same).toBe(true);
  });

  it('matches a LEAD update (lede reworded, paragraphs added) through the body or the lede', () => {
    expect(compare('i01', 'i02').same).toBe(true);
    expect(compare('i42', 'i43').same).toBe(true); // Korean "(종합)" update
  });

  it('matches a copy cut to its first paragraphs through the lede, although whole-body SimHash drifts', () => {
    const result = compare('i01', 'i05'); // aggregator: first two paragraphs + "Read more"
    expect(result.hammingDistance).toBeGreaterThan(DEFAULT_THRESHOLDS.maxHammingDistance);
    expect(result.leadHammingDistance).toBeLessThanOrEqual(DEFAULT_THRESHOLDS.maxLeadHammingDistance);
    expect(result.same).toBe(true);
    expect(result.reason).toMatch(/^ledes differ in \d+ of 64 bits \(one copy shortened or extended/);
  });

  it('keeps template stories apart: same wording and title, other numbers and weekday', () => {
    for (const [a, b] of [
      ['i15', 'i17'], // "Seoul shares close higher on chip rally", Tuesday vs Wednesday
      ['i20', 'i22'], // "Weather: Chilly morning, sunny skies nationwide"
      ['i53', 'i55'], // "[날씨] 아침 영하권 쌀쌀…낮에는 포근": bodies only 6 bits apart
      ['i49', 'i51'], // 코스피 market close
    ] as const) {
      const result = compare(a, b);
      expect(result.same, `${a}/${b}: ${result.reason}`).toBe(false);
      expect(result.reason).toMatch(/^numbers differ/);
    }
  });

  it('keeps apart a second missile launch six days later that reuses whole paragraphs', () => {
    const result = compare('i01', 'i11');
    expect(result.titleSimilarity).toBeGreaterThan(0.8);
    expect(result.same).toBe(false);
    // and the headline-only flash of the second launch, though its title is 87% like the first's
    expect(compare('i01', 'i14').same).toBe(false);
  });

  it('keeps apart independent reports of the same event (same facts, other words)', () => {
    for (const [a, b] of [
      ['i01', 'i08'], // wire vs Peninsula Times' own reporting
      ['i01', 'i10'], // wire vs the blog's rewrite
      ['i29', 'i32'], // drills: wire vs own reporting
      ['i42', 'i47'], // Korean: wire vs daily's own reporting
    ] as const) {
      const result = compare(a, b);
      expect(result.same, `${a}/${b}: ${result.reason}`).toBe(false);
      expect(result.hammingDistance).toBeGreaterThan(20);
    }
  });

  it('keeps apart the same story told in Korean and in English', () => {
    for (const [a, b] of [
      ['i01', 'i42'],
      ['i24', 'i59'],
      ['i36', 'i61'],
    ] as const) {
      const result = compare(a, b);
      expect(result.same).toBe(false);
      expect(result.titleSimilarity).toBeLessThan(0.2);
    }
  });

  it('lets titles decide when a body is too short for SimHash, with a stricter title threshold', () => {
    const full = sig('i42'); // Korean wire story
    const flash = sig('i44'); // "[속보] 북한, 동해상으로 단거리 탄도미사일 발사": one sentence
    const result = compareSignatures(full, flash);
    expect(result.same).toBe(true);
    expect(result.reason).toMatch(/^a body is short \(12 tokens\), so titles decide: titles are 86% alike/);
    const headlineOnly = textSignature({ title: 'North Korea fires missile', text: '' });
    expect(compareSignatures(full, headlineOnly).same).toBe(false);
  });

  it('works from the stored columns alone (bigints come back from pg as strings)', () => {
    const original = sig('i01');
    const copy = sig('i05');
    const row = JSON.parse(
      JSON.stringify({
        fingerprint: copy.fingerprint.toString(),
        lead_fingerprint: copy.leadFingerprint.toString(),
        bucket_keys: copy.bucketKeys.map(String),
        title_key: copy.titleKey,
        numbers: copy.numbers,
        body_length: copy.length,
      }),
    ) as { fingerprint: string; lead_fingerprint: string; bucket_keys: string[]; title_key: string[]; numbers: string[]; body_length: number };
    const restored: TextSignature = {
      fingerprint: BigInt(row.fingerprint),
      leadFingerprint: BigInt(row.lead_fingerprint),
      bucketKeys: row.bucket_keys.map(BigInt),
      titleKey: row.title_key,
      numbers: row.numbers,
      length: row.body_length,
    };
    expect(compareSignatures(original, restored)).toEqual(compareSignatures(original, copy));
  });
});

describe('titleSimilarity', () => {
  it('compares words in English and character bigrams in Korean, ignoring spacing', () => {
    expect(titleSimilarity(['n', 'korea', 'fires', 'missile'], ['n', 'korea', 'fires', 'missile'])).toBe(1);
    expect(titleSimilarity(['탄도', '미사일', '발사'], ['탄도미사일', '발사'])).toBe(1);
    expect(titleSimilarity(['북한', '탄도미사일', '발사'], ['北', '탄도미사일', '발사'])).toBeCloseTo(0.8, 5);
    expect(titleSimilarity(['seoul', 'stocks'], ['서울', '증시'])).toBe(0);
    expect(titleSimilarity([], ['x'])).toBe(0);
  });
});

describe('chooseStory', () => {
  const at = (iso: string): Date => new Date(iso);
  const candidate = (id: string, storyId: string, canonicalUrl: string | null, publishedAt: string): StoryCandidate => ({
    id,
    storyId,
    canonicalUrl,
    publishedAt: at(publishedAt),
    signature: sig(id),
  });

  it('joins the story of a candidate with the same canonical URL, whatever the text says', () => {
    const decision = chooseStory({ canonicalUrl: 'https://hanbitnews.example/en/news/1', signature: sig('i15') }, [
      candidate('i01', 'story-a', null, '2026-03-03T00:05:00Z'),
      candidate('i17', 'story-b', 'https://hanbitnews.example/en/news/1', '2026-03-03T06:00:00Z'),
    ]);
    expect(decision).toEqual({ storyId: 'story-b', via: 'canonical-url', matchedId: 'i17', match: null });
  });

  it('prefers the closest copy among several matching candidates', () => {
    const decision = chooseStory({ canonicalUrl: null, signature: sig('i04') }, [
      candidate('i05', 'shortened', null, '2026-03-03T00:20:00Z'), // matches through the lede only
      candidate('i03', 'exact', null, '2026-03-03T00:40:00Z'), // identical text
    ]);
    expect(decision.storyId).toBe('exact');
    expect(decision.via).toBe('text');
  });

  it('founds a new story when no candidate matches', () => {
    expect(chooseStory({ canonicalUrl: null, signature: sig('i17') }, [candidate('i15', 's', null, '2026-03-03T06:45:00Z')]).storyId).toBeNull();
  });
});

describe('groupBySignature', () => {
  it('only looks back over the window: a copy published 8 days later founds a new story', () => {
    const s = sig('i01');
    const placements = groupBySignature([
      { id: 'a', publishedAt: new Date('2026-03-01T00:00:00Z'), canonicalUrl: null, signature: s },
      { id: 'b', publishedAt: new Date('2026-03-07T23:00:00Z'), canonicalUrl: null, signature: s },
      { id: 'c', publishedAt: new Date('2026-03-09T00:00:00Z'), canonicalUrl: null, signature: s },
    ]);
    expect(placements.map((p) => [p.id, p.story, p.via])).toEqual([
      ['a', 'a', 'founded'],
      ['b', 'a', 'text'],
      ['c', 'a', 'text'], // 8 days after a, but within 7 days of b: it joins b's story
    ]);
    const far = groupBySignature(
      [
        { id: 'a', publishedAt: new Date('2026-03-01T00:00:00Z'), canonicalUrl: null, signature: s },
        { id: 'c', publishedAt: new Date('2026-03-09T00:00:00Z'), canonicalUrl: null, signature: s },
      ],
      { windowMs: 7 * 24 * 3600 * 1000 },
    );
    expect(far.map((p) => p.story)).toEqual(['a', 'c']);
  });
});
