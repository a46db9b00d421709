/**
 * The dedupe labeled set (test/fixtures/dedupe/labeled-set.json) and its pairwise scoring,
 * shared by the pure grouping test, the store grouping test and the story-match tests.
 */
import { readFileSync } from 'node:fs';

export interface LabeledItem {
  id: string;
  source: string;
  url: string;
  title: string;
  text: string;
  publishedAt: string;
  story: string;
}

export const labeledItems: LabeledItem[] = (
  JSON.parse(readFileSync(new URL('../fixtures/dedupe/labeled-set.json', import.meta.url), 'utf8')) as { items: LabeledItem[] }
).items;

export interface PairwiseQuality {
  truePairs: number;
  groupedPairs: number;
  correctPairs: number;
  precision: number;
  recall: number;
  /** The pairs grouped against their labels, as [a, b, grouped]. */
  wrong: Array<[LabeledItem, LabeledItem, boolean]>;
}

/** Pairwise precision and recall of a grouping (`storyOf`: item id → its story) against the labels. */
export function pairwiseQuality(items: readonly LabeledItem[], storyOf: (id: string) => unknown): PairwiseQuality {
  let truePairs = 0;
  let groupedPairs = 0;
  let correctPairs = 0;
  const wrong: PairwiseQuality['wrong'] = [];
  for (let x = 0; x < items.length; x++) {
    for (let y = x + 1; y < items.length; y++) {
      const a = items[x]!;
      const b = items[y]!;
      const truth = a.story === b.story;
      const grouped = storyOf(a.id) === storyOf(b.id);
      if (truth) truePairs++;
      if (grouped) groupedPairs++;
      if (truth && grouped) correctPairs++;
      if (truth !== grouped) wrong.push([a, b, grouped]);
    }
  }
  const precision = groupedPairs === 0 ? 1 : correctPairs / groupedPairs;
  const recall = truePairs === 0 ? 1 : correctPairs / truePairs;
  return { truePairs, groupedPairs, correctPairs, precision, recall, wrong };
}
