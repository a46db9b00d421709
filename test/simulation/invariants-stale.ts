/**
 * The stale state, checked against the world's truth each simulated hour: a source that
 * answers shows `stale` exactly when its feed's newest item (as the feed dates it) is older
 * than four of its usual gaps and a week at least (src/admin/source-view-stale.ts), and `ok`
 * before. Computed here from what the publisher listed, not from what Tidings stored.
 */
import { hostAndPath } from './invariants.ts';
import { listing, servingFeed, statedDate, type World } from './world.ts';

const WEEK_SECONDS = 7 * 86_400;

/** A source as GET /admin/api/sources shows it (dates as JSON strings). */
export interface ShownSource {
  id: number;
  url: string;
  state: string;
  lastSuccessAt: string | null;
}

/**
 * When the source at `url` is stale from, by the listing its feed served at `polledAt`: its
 * newest dated item plus max(4 × mean gap of the week up to it, a week). Null for an undated
 * feed (Tidings dates its items by first sighting, which the world does not know) or an empty one.
 */
export function expectedStaleFrom(world: World, url: string, polledAt: Date): { feedId: string; from: Date } | null {
  const { host, path } = hostAndPath(url);
  const feed = servingFeed(world, host, path, polledAt);
  if (!feed || feed.undated) return null;
  const dates = listing(world, feed, polledAt)
    .map((item) => statedDate(feed, item, polledAt)!)
    .filter((date) => date <= polledAt);
  if (dates.length === 0) return null;
  const newest = Math.max(...dates.map((d) => d.getTime()));
  const recent = dates.filter((d) => d.getTime() >= newest - WEEK_SECONDS * 1000).length;
  const window = Math.max(4 * Math.min(Math.round(WEEK_SECONDS / recent), WEEK_SECONDS), WEEK_SECONDS);
  return { feedId: feed.id, from: new Date(newest + window * 1000) };
}

/** Sources that answer (ok or stale): each is stale from the expected hour on, and never before. */
export function checkStaleStates(world: World, shown: readonly ShownSource[], now: Date, staleSeen: Set<string>): string[] {
  const problems: string[] = [];
  for (const source of shown) {
    if ((source.state !== 'ok' && source.state !== 'stale') || source.lastSuccessAt === null) continue;
    const expected = expectedStaleFrom(world, source.url, new Date(source.lastSuccessAt));
    if (expected === null) continue;
    if (source.state === 'stale') staleSeen.add(expected.feedId);
    const shouldBe = now >= expected.from ? 'stale' : 'ok';
    if (source.state !== shouldBe)
      problems.push(`source ${source.id} (${expected.feedId}) shows ${source.state}; its newest item makes it stale from ${expected.from.toISOString()}`);
  }
  return problems;
}
