/**
 * The simulated world: publishers, their feeds and items as pure functions of simulated time.
 * What a feed lists at time t, and how its server answers, never depends on who asked or how
 * often, so the invariants can compare what Tidings stored and served with the truth.
 */
import type { Language } from './text.ts';

export type WorldFormat = 'rss2' | 'rss2-euckr' | 'rss1' | 'rss091' | 'atom' | 'atom-updated';

export interface Outage {
  from: Date;
  to: Date;
  status: number;
  retryAfterSeconds?: number;
}

export interface WorldFeed {
  id: string;
  host: string;
  path: string;
  title: string;
  format: WorldFormat;
  language: Language;
  /** Topics the source is given in the config (or when an admin adds it). */
  topics: string[];
  /** The phrase its headlines carry (topic rules match on it). */
  phrase: string;
  /** Mean minutes between its own items; null: it publishes only wire copies. */
  meanGapMinutes: number | null;
  listSize: number;
  ttlMinutes?: number;
  maxAgeSeconds?: number;
  /** An Expires header this many seconds after the response. */
  expiresSeconds?: number;
  validators: 'etag' | 'last-modified' | 'both' | 'none';
  outages: Outage[];
  /** From `at`, the feed answers 301 to `path` on its host (a new URL, or another feed's). */
  movedTo?: { at: Date; path: string };
  /** From this time the feed answers 410 Gone. */
  goneAt?: Date;
  /** The publisher stops publishing at this time; its feed keeps answering with its last items. */
  stopsAt?: Date;
  /** How far back its items go before the start, in hours (default 48). */
  archiveHours?: number;
  /** How Tidings learns of it. */
  origin: 'config' | 'api' | 'cli' | 'opml';
  /** Items carry no dates (RSS 0.91 style): Tidings dates them by first sighting. */
  undated?: boolean;
  /**
   * Its feed carries only a teaser; the story is on the item's page (/articles/N on its host,
   * world-server.ts), amid navigation and boilerplate. The source has fullContent.
   */
  fullContent?: boolean;
  /** It names the simulation's WebSub hub in a Link header, which pushes its documents (websub-publishers.ts). */
  hub?: boolean;
}

export interface WorldItem {
  feedId: string;
  /** The key Tidings stores it under (guid or id, else link). */
  key: string;
  /** Written as <guid>/<id>; null: the item has none (RSS 0.91/1.0: keyed by link). */
  guid: string | null;
  url: string;
  /** Ground truth: items with one storyKey are copies of one story. */
  storyKey: string;
  language: Language;
  publishedAt: Date;
  title: string;
  paragraphs: string[];
  /** Later versions of the title (the publisher corrects it). */
  edits: Array<{ at: Date; title: string }>;
  /** The publisher deletes the item from its feed at this time. */
  removedAt: Date | null;
  /** Text the republisher puts around the story ("Share …", "Source link"). */
  wrapper: { before: string; after: string } | null;
}

export interface World {
  start: Date;
  end: Date;
  feeds: WorldFeed[];
  items: Map<string, WorldItem[]>;
}

export function feedById(world: World, id: string): WorldFeed {
  const feed = world.feeds.find((f) => f.id === id);
  if (!feed) throw new Error(`no feed ${id}`);
  return feed;
}

/** The feed at a host and path, if any publishes there (its own path, or a new path it moved to). */
export function feedAt(world: World, host: string, path: string): WorldFeed | undefined {
  return (
    world.feeds.find((f) => f.host === host && f.path === path) ??
    world.feeds.find((f) => f.host === host && f.movedTo?.path === path && !world.feeds.some((o) => o.host === host && o.path === path))
  );
}

export function titleAt(item: WorldItem, t: Date): string {
  let title = item.title;
  for (const edit of item.edits) if (edit.at <= t) title = edit.title;
  return title;
}

/** The item's <updated> at t: its last edit, else its publication. */
export function updatedAt(item: WorldItem, t: Date): Date {
  let updated = item.publishedAt;
  for (const edit of item.edits) if (edit.at <= t) updated = edit.at;
  return updated;
}

/** The date a feed states for the item at t, as Tidings should read it (published, else updated). */
export function statedDate(feed: WorldFeed, item: WorldItem, t: Date): Date | null {
  if (feed.undated) return null;
  return feed.format === 'atom-updated' ? updatedAt(item, t) : item.publishedAt;
}

/** What the feed lists at time t: its newest items already published and not deleted. */
export function listing(world: World, feed: WorldFeed, t: Date): WorldItem[] {
  return (world.items.get(feed.id) ?? [])
    .filter((item) => item.publishedAt <= t && (item.removedAt === null || item.removedAt > t))
    .sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime() || a.key.localeCompare(b.key))
    .slice(0, feed.listSize);
}

/** The feed whose content a request to (host, path) gets at t, following a permanent move. */
export function servingFeed(world: World, host: string, path: string, t: Date): WorldFeed | undefined {
  let feed = feedAt(world, host, path);
  for (let hops = 0; feed?.movedTo && feed.movedTo.at <= t && feed.path === path && hops < 5; hops++) {
    const target = feed.movedTo.path;
    feed = world.feeds.find((f) => f.host === host && f.path === target) ?? feed;
    path = target;
  }
  return feed;
}

export function outageAt(feed: WorldFeed, t: Date): Outage | undefined {
  return feed.outages.find((o) => o.from <= t && t < o.to);
}

/** Hours after the simulation's start, as a Date. */
export function at(start: Date, hours: number): Date {
  return new Date(start.getTime() + hours * 3_600_000);
}
