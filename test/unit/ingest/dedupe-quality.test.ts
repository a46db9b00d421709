/**
 * Grouping quality on the labeled set (test/fixtures/dedupe/labeled-set.json): the look-up is
 * simulated exactly as the store runs it (groupBySignature: items in publishedAt order,
 * candidates = earlier items within 7 days sharing a bucket key or the canonical URL,
 * chooseStory decides), then pairwise precision and recall against the labels.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalUrl } from '../../../src/ingest/canonical-url.ts';
import { textSignature } from '../../../src/ingest/fingerprint.ts';
import { collapseWhitespace } from '../../../src/ingest/html-text.ts';
import { compareSignatures, groupBySignature } from '../../../src/ingest/story-match.ts';

interface LabeledItem {
  id: string;
  source: string;
  url: string;
  title: string;
  text: string;
  publishedAt: string;
  story: string;
}

const MIN_PRECISION = 0.95;
const MIN_RECALL = 0.9;

const { items } = JSON.parse(readFileSync(new URL('../../fixtures/dedupe/labeled-set.json', import.meta.url), 'utf8')) as { items: LabeledItem[] };

describe('cross-source story grouping on the labeled set', () => {
  it('is a set worth measuring: ≥ 60 items, ≥ 6 sources, Korean and English, copies and look-alikes', () => {
    expect(items.length).toBeGreaterThanOrEqual(60);
    expect(new Set(items.map((i) => i.source)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect(items.some((i) => /[\uac00-\ud7a3]/.test(i.text))).toBe(true);
    const perStory = new Map<string, number>();
    for (const i of items) perStory.set(i.story, (perStory.get(i.story) ?? 0) + 1);
    expect([...perStory.values()].filter((n) => n > 1).length).toBeGreaterThanOrEqual(15);
  });

  it(`groups copies into stories with precision ≥ ${MIN_PRECISION} and recall ≥ ${MIN_RECALL}`, () => {
    // Text as the pipeline hands it over: plain, whitespace collapsed (htmlToPlainText).
    const signed = items.map((i) => ({ ...i, signature: textSignature({ title: i.title, text: collapseWhitespace(i.text) }) }));
    const placements = groupBySignature(
      signed.map((i) => ({ id: i.id, publishedAt: new Date(i.publishedAt), canonicalUrl: canonicalUrl(i.url), signature: i.signature })),
    );
    const storyOf = new Map(placements.map((p) => [p.id, p.story]));

    let truePairs = 0;
    let groupedPairs = 0;
    let correctPairs = 0;
    const wrong: string[] = [];
    for (let x = 0; x < signed.length; x++) {
      for (let y = x + 1; y < signed.length; y++) {
        const a = signed[x]!;
        const b = signed[y]!;
        const truth = a.story === b.story;
        const grouped = storyOf.get(a.id) === storyOf.get(b.id);
        if (truth) truePairs++;
        if (grouped) groupedPairs++;
        if (truth && grouped) correctPairs++;
        if (truth !== grouped) {
          const kind = grouped ? 'merged, should be apart' : 'apart, should be merged';
          wrong.push(`  ${a.id} (${a.story}) / ${b.id} (${b.story}): ${kind}: ${compareSignatures(a.signature, b.signature).reason}`);
        }
      }
    }
    const precision = groupedPairs === 0 ? 1 : correctPairs / groupedPairs;
    const recall = truePairs === 0 ? 1 : correctPairs / truePairs;
    const viaUrl = placements.filter((p) => p.via === 'canonical-url').length;
    const viaText = placements.filter((p) => p.via === 'text').length;

    console.log(
      [
        'dedupe quality (pairwise, labeled set):',
        `  items          ${signed.length} from ${new Set(signed.map((i) => i.source)).size} sources`,
        `  stories        ${new Set(signed.map((i) => i.story)).size} labeled, ${new Set(storyOf.values()).size} found (${viaText} joined by text, ${viaUrl} by canonical URL)`,
        `  true pairs     ${truePairs} (grouped pairs ${groupedPairs}, correct ${correctPairs})`,
        `  precision      ${precision.toFixed(3)} (fails below ${MIN_PRECISION})`,
        `  recall         ${recall.toFixed(3)} (fails below ${MIN_RECALL})`,
        `  misgrouped     ${wrong.length === 0 ? 'none' : `${wrong.length} pairs`}`,
        ...wrong,
      ].join('\n'),
    );
    expect(precision).toBeGreaterThanOrEqual(MIN_PRECISION);
    expect(recall).toBeGreaterThanOrEqual(MIN_RECALL);
  });
});
