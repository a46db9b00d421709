/**
 * Story grouping replayed in memory, for measuring it (the labeled-set quality test): the
 * store's decision order with an inverted index in place of its GIN index. Production groups
 * through the store (src/store/story-assignment.ts), which asks the same chooseStory.
 */
import type { MatchResult, TextSignature } from '../model.ts';
import { chooseStory, DEFAULT_THRESHOLDS, type MatchThresholds } from './story-match.ts';

export const DEFAULT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export interface GroupableItem {
  id: string;
  publishedAt: Date;
  canonicalUrl: string | null;
  signature: TextSignature;
}

export interface Placement {
  id: string;
  /** The story: the id of the item that founded it. */
  story: string;
  via: 'founded' | 'canonical-url' | 'text';
  matchedId: string | null;
  match: MatchResult | null;
}

/**
 * Groups items into stories exactly as the store does, with an in-memory inverted index in
 * place of the GIN index: items in publishedAt order (ties by id); each item's candidates are
 * the earlier items within `windowMs` that share a bucket key or the canonical URL; chooseStory
 * decides.
 */
export function groupBySignature(items: readonly GroupableItem[], options: { windowMs?: number; thresholds?: MatchThresholds } = {}): Placement[] {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const ordered = [...items].sort((x, y) => x.publishedAt.getTime() - y.publishedAt.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const byKey = new Map<bigint, GroupableItem[]>();
  const byUrl = new Map<string, GroupableItem[]>();
  const storyOf = new Map<string, string>();
  const placements: Placement[] = [];
  for (const item of ordered) {
    const since = item.publishedAt.getTime() - windowMs;
    const found = new Map<string, GroupableItem>();
    const collect = (list: GroupableItem[] | undefined): void => {
      for (const other of list ?? []) if (other.publishedAt.getTime() >= since) found.set(other.id, other);
    };
    for (const key of item.signature.bucketKeys) collect(byKey.get(key));
    if (item.canonicalUrl !== null) collect(byUrl.get(item.canonicalUrl));
    const candidates = [...found.values()].map((c) => ({ ...c, storyId: storyOf.get(c.id)! }));
    const decision = chooseStory(item, candidates, thresholds);
    const story = decision.storyId ?? item.id;
    storyOf.set(item.id, story);
    placements.push({ id: item.id, story, via: decision.via ?? 'founded', matchedId: decision.matchedId, match: decision.match });
    for (const key of new Set(item.signature.bucketKeys)) {
      const list = byKey.get(key);
      if (list === undefined) byKey.set(key, [item]);
      else list.push(item);
    }
    if (item.canonicalUrl !== null) {
      const list = byUrl.get(item.canonicalUrl);
      if (list === undefined) byUrl.set(item.canonicalUrl, [item]);
      else list.push(item);
    }
  }
  return placements;
}
