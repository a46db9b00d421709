/**
 * Grouping quality on the labeled set (test/fixtures/dedupe/labeled-set.json): the look-up is
 * simulated exactly as the store runs it (groupBySignature: items in publishedAt order,
 * candidates = earlier items within 7 days sharing a bucket key or the canonical URL,
 * chooseStory decides), then pairwise precision and recall against the labels.
 */
import { describe, expect, it } from 'vitest';
import { canonicalUrl, compareSignatures, groupBySignature, textSignature } from '../../../src/dedupe/index.ts';
import { collapseWhitespace } from '../../../src/text/html-text.ts';
import { labeledItems as items, pairwiseQuality } from '../../helpers/labeled-set.ts';

const MIN_PRECISION = 0.95;
const MIN_RECALL = 0.9;

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

    const { truePairs, groupedPairs, correctPairs, precision, recall, wrong: wrongPairs } = pairwiseQuality(signed, (id) => storyOf.get(id));
    const signatureOf = new Map(signed.map((i) => [i.id, i.signature]));
    const wrong = wrongPairs.map(([a, b, grouped]) => {
      const kind = grouped ? 'merged, should be apart' : 'apart, should be merged';
      return `  ${a.id} (${a.story}) / ${b.id} (${b.story}): ${kind}: ${compareSignatures(signatureOf.get(a.id)!, signatureOf.get(b.id)!).reason}`;
    });
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
