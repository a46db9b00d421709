/**
 * The grouping policies the store is handed (model.ts StoryGrouping): the time window and the
 * pure decision of which story a new item joins. The store finds the candidates and writes the
 * result; it never decides.
 */
import type { StoryGrouping } from '../model.ts';
import { chooseStory, DEFAULT_THRESHOLDS, type MatchThresholds } from './story-match.ts';

/**
 * feeds.config.json's `dedupe` section (config's DedupeConfig has this shape): the window in
 * days, and any threshold of MatchThresholds to override.
 */
export type DedupeSettings = { windowDays: number } & { [K in keyof MatchThresholds]?: MatchThresholds[K] | undefined };

/** Near-duplicate grouping as feeds.config.json's `dedupe` section sets it (unset thresholds keep their defaults). */
export function storyGrouping(dedupe: DedupeSettings): StoryGrouping {
  const { windowDays, ...overrides } = dedupe;
  const thresholds = { ...DEFAULT_THRESHOLDS, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  return { windowMs: windowDays * 86_400_000, decide: (item, candidates) => chooseStory(item, candidates, thresholds) };
}

/** Canonical-URL grouping only (no text matching): for callers without dedupe settings. */
export const CANONICAL_URL_ONLY: StoryGrouping = {
  windowMs: 0,
  decide: (item, candidates) => {
    const same = [...candidates].sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime()).find((c) => c.canonicalUrl === item.canonicalUrl);
    return same ? { storyId: same.storyId, via: 'canonical-url', matchedId: same.id, match: null } : { storyId: null, via: null, matchedId: null, match: null };
  },
};
