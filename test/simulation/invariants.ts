/**
 * What must hold after every simulated hour, checked against the world's truth, the
 * database, the served documents and the publishers' request log. Each check returns the
 * violations it found as sentences; an empty list means the hour was right.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import Parser from 'rss-parser';
import type { DB } from '../../src/db/schema.ts';
import { canonicalUrl } from '../../src/dedupe/index.ts';
import { listing, servingFeed, statedDate, type World, type WorldFeed, type WorldItem } from './world.ts';
import type { RequestStart } from './request-starts.ts';
import type { LoggedRequest } from './world-server.ts';

export interface Served {
  rss: string;
  atom: string;
  json: string;
  /** The JSON document asked for with ?limit=10. */
  limited: string;
}

interface JsonItem {
  id: string;
  url: string;
  title: string;
  date_published: string;
  content_html: string;
  _tidings?: { source?: { feedUrl: string }; also_reported_by?: Array<{ source: string; url: string | null }> };
}

/** Host and path of a source URL (the world knows feeds by them). */
export function hostAndPath(url: string): { host: string; path: string } {
  const parsed = new URL(url);
  return { host: parsed.hostname, path: parsed.pathname + parsed.search };
}

/** Every world item by the key Tidings stores it under (copies in a twice-served feed share keys). */
export function itemsByKey(world: World): Map<string, { feed: WorldFeed; item: WorldItem }> {
  const byKey = new Map<string, { feed: WorldFeed; item: WorldItem }>();
  for (const feed of world.feeds) for (const item of world.items.get(feed.id) ?? []) if (!byKey.has(item.key)) byKey.set(item.key, { feed, item });
  return byKey;
}

/**
 * Sources: no URL twice, and no two enabled sources polling one publisher's document, as of
 * each source's last poll (a move shows only when the source is next polled).
 */
export async function checkSources(db: Kysely<DB>, world: World, now: Date): Promise<string[]> {
  const problems: string[] = [];
  const sources = await db.selectFrom('sources').select(['id', 'url', 'enabled', 'last_polled_at']).execute();
  const byUrl = new Map<string, number[]>();
  const byFeed = new Map<string, number[]>();
  for (const source of sources) {
    byUrl.set(source.url, [...(byUrl.get(source.url) ?? []), source.id]);
    if (!source.enabled) continue;
    const { host, path } = hostAndPath(source.url);
    const feed = servingFeed(world, host, path, source.last_polled_at ?? now);
    if (feed) byFeed.set(feed.id, [...(byFeed.get(feed.id) ?? []), source.id]);
  }
  for (const [url, ids] of byUrl) if (ids.length > 1) problems.push(`source row duplicated: ${url} is sources ${ids.join(', ')}`);
  for (const [feed, ids] of byFeed) if (ids.length > 1) problems.push(`feed ${feed} is polled by ${ids.length} enabled sources (${ids.join(', ')})`);
  return problems;
}

/** Every item a source's feed listed at its last successful poll is stored, once. */
export async function checkItemsStored(db: Kysely<DB>, world: World): Promise<string[]> {
  const problems: string[] = [];
  const sources = await db
    .selectFrom('sources')
    .select(['id', 'url', 'last_success_at'])
    .where('enabled', '=', true)
    .where('last_success_at', 'is not', null)
    .execute();
  const rows = await db.selectFrom('items').select(['source_id', 'item_key']).execute();
  const stored = new Map<number, Set<string>>();
  for (const row of rows) {
    const keys = stored.get(row.source_id) ?? new Set();
    keys.add(row.item_key);
    stored.set(row.source_id, keys);
  }
  for (const source of sources) {
    const { host, path } = hostAndPath(source.url);
    const feed = servingFeed(world, host, path, source.last_success_at!);
    if (!feed) continue;
    const missing = listing(world, feed, source.last_success_at!).filter((item) => !stored.get(source.id)?.has(item.key));
    if (missing.length > 0)
      problems.push(
        `source ${source.id} (${feed.id}) lacks ${missing.length} item(s) its feed listed at its last successful poll: ${missing
          .slice(0, 3)
          .map((i) => i.key)
          .join(', ')}`,
      );
  }
  return problems;
}

async function parseXml(text: string): Promise<Array<{ id: string; title: string; link: string; date: string }>> {
  const feed = await new Parser().parseString(text);
  return feed.items.map((item) => ({
    id: String(item.guid ?? (item as { id?: string }).id ?? ''),
    title: item.title ?? '',
    link: item.link ?? '',
    date: item.isoDate ?? '',
  }));
}

const toSecond = (iso: string) => (iso === '' ? '' : new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString());

/** The three formats list the same entries (ids, titles, links, dates) in the same order; ?limit= agrees too. */
export async function checkFormatsAgree(name: string, served: Served): Promise<string[]> {
  const json = (JSON.parse(served.json) as { items: JsonItem[] }).items.map((i) => ({
    id: i.id,
    title: i.title,
    link: i.url,
    date: toSecond(i.date_published),
  }));
  const problems: string[] = [];
  for (const [format, text] of [
    ['rss', served.rss],
    ['atom', served.atom],
  ] as const) {
    const entries = (await parseXml(text)).map((e) => ({ ...e, date: toSecond(e.date) }));
    if (JSON.stringify(entries) !== JSON.stringify(json)) {
      const first = entries.findIndex((e, i) => JSON.stringify(e) !== JSON.stringify(json[i]));
      problems.push(
        `${name}: ${format} differs from feed.json (${entries.length} vs ${json.length} entries; first difference at #${first}: ${JSON.stringify(entries[first])} vs ${JSON.stringify(json[first])})`,
      );
    }
  }
  const limited = (JSON.parse(served.limited) as { items: JsonItem[] }).items.map((i) => i.id);
  if (JSON.stringify(limited) !== JSON.stringify(json.slice(0, 10).map((i) => i.id)))
    problems.push(`${name}: ?limit=10 is not the first 10 entries of the document`);
  const ids = new Set(json.map((i) => i.id));
  if (ids.size !== json.length) problems.push(`${name}: an entry id appears twice`);
  return problems;
}

/**
 * Each entry is dated as its representative's feed dates it; each world story appears once;
 * "Also reported by" never lists the entry's own article, one article twice, or another story.
 * `curated` world stories an admin split or merged (curation-stories.ts) may appear twice or
 * list each other's copies.
 */
export async function checkTopicEntries(name: string, db: Kysely<DB>, world: World, json: string, curated: ReadonlySet<string> = new Set()): Promise<string[]> {
  const problems: string[] = [];
  const byKey = itemsByKey(world);
  const storyOfUrl = new Map<string, Set<string>>();
  for (const { item } of byKey.values()) storyOfUrl.set(item.url, (storyOfUrl.get(item.url) ?? new Set()).add(item.storyKey));
  const entries = (JSON.parse(json) as { items: JsonItem[] }).items;
  const stories = new Map<string, string>();
  // Each entry's representative: the earliest stored item of its source at its URL.
  const rows =
    entries.length === 0
      ? []
      : await db
          .selectFrom('items as i')
          .innerJoin('sources as s', 's.id', 'i.source_id')
          .select(['s.url as source_url', 'i.url', 'i.item_key', 'i.first_seen_at', 'i.published_at'])
          .where(
            'i.url',
            'in',
            entries.map((e) => e.url),
          )
          .orderBy('i.published_at', 'desc')
          .execute();
  const representative = new Map(rows.map((r) => [`${r.source_url} ${r.url}`, r]));
  for (const entry of entries) {
    const feedUrl = entry._tidings?.source?.feedUrl;
    const row = representative.get(`${feedUrl} ${entry.url}`);
    const truth = row && byKey.get(row.item_key);
    if (!row || !truth) {
      problems.push(`${name}: entry "${entry.title}" (${entry.url}) matches no stored item of ${feedUrl}`);
      continue;
    }
    const expected = statedDate(truth.feed, truth.item, row.first_seen_at) ?? row.first_seen_at;
    if (Date.parse(entry.date_published) !== expected.getTime()) {
      problems.push(`${name}: entry "${entry.title}" is dated ${entry.date_published}; its feed (${truth.feed.id}) dates it ${expected.toISOString()}`);
    }
    const story = truth.item.storyKey;
    const twice = stories.get(story);
    if (twice !== undefined && !curated.has(story)) problems.push(`${name}: story ${story} appears twice ("${twice}" and "${entry.title}")`);
    stories.set(story, entry.title);
    const own = canonicalUrl(entry.url);
    const listed = new Set<string>();
    for (const copy of entry._tidings?.also_reported_by ?? []) {
      const canonical = canonicalUrl(copy.url) ?? `${copy.source}`;
      if (canonical === own) problems.push(`${name}: "${entry.title}" lists its own article (${copy.url}) as reported by ${copy.source}`);
      if (listed.has(canonical)) problems.push(`${name}: "${entry.title}" lists ${copy.url} twice`);
      listed.add(canonical);
      const copyStories = copy.url ? storyOfUrl.get(copy.url) : undefined;
      if (copyStories && !copyStories.has(story) && !curated.has(story))
        problems.push(`${name}: "${entry.title}" lists ${copy.url}, a copy of another story (${[...copyStories].join(', ')})`);
    }
  }
  return problems;
}

/** Digests: once published, an entry never changes; one per period. */
export function checkDigests(name: string, json: string, seen: Map<string, string>): string[] {
  const problems: string[] = [];
  const titles = new Set<string>();
  for (const item of (JSON.parse(json) as { items: JsonItem[] }).items) {
    const fingerprint = createHash('sha1')
      .update(JSON.stringify([item.title, item.date_published, item.content_html]))
      .digest('hex');
    const before = seen.get(item.id);
    if (before !== undefined && before !== fingerprint) problems.push(`${name}: digest "${item.title}" changed after it was published`);
    seen.set(item.id, fingerprint);
    if (titles.has(item.title)) problems.push(`${name}: two digests for one period ("${item.title}")`);
    titles.add(item.title);
  }
  return problems;
}

export interface FetchRules {
  maxIntervalSeconds: number;
  /** Paths an admin paused, and when: no request may arrive meanwhile. */
  paused: Array<{ path: string; from: Date; to: Date }>;
  /** Paths removed at a time: no request after. */
  removed: Array<{ path: string; at: Date }>;
}

/**
 * The publishers' log: no feed asked for again before its hints allow (ttl, max-age, Expires,
 * Retry-After; capped at maxInterval as Tidings caps them), none asked while paused or after
 * removal, 410 or a move.
 */
export function checkFetches(log: readonly LoggedRequest[], rules: FetchRules): string[] {
  const problems: string[] = [];
  const last = new Map<string, LoggedRequest>();
  const ended = new Map<string, LoggedRequest>();
  for (const request of log) {
    const key = `${request.host}${request.path}`;
    const previous = last.get(key);
    if (previous && !request.forced) {
      const allowed = Math.min(previous.hintSeconds, rules.maxIntervalSeconds) * 1000;
      const gap = request.at.getTime() - previous.at.getTime();
      if (gap < allowed - 1000)
        problems.push(
          `${key} asked again after ${gap / 1000} s at ${request.at.toISOString()}; its last answer (${previous.status}) allowed ${allowed / 1000} s`,
        );
    }
    const stop = ended.get(key);
    if (stop && !request.forced) problems.push(`${key} asked at ${request.at.toISOString()} after it answered ${stop.status} at ${stop.at.toISOString()}`);
    for (const pause of rules.paused)
      if (request.path === pause.path && request.at > pause.from && request.at < pause.to && !request.forced)
        problems.push(`${key} asked at ${request.at.toISOString()} while paused`);
    for (const removal of rules.removed)
      if (request.path === removal.path && request.at > removal.at) problems.push(`${key} asked at ${request.at.toISOString()} after the source was removed`);
    if (request.status === 410 || request.status === 301) ended.set(key, request);
    last.set(key, request);
  }
  return problems;
}

/** Every enabled source was asked within maxInterval (plus a poll tick and its slack). */
export async function checkPolledEnough(
  db: Kysely<DB>,
  log: readonly LoggedRequest[],
  now: Date,
  maxIntervalSeconds: number,
  resumed: Map<string, Date>,
): Promise<string[]> {
  const problems: string[] = [];
  const lastAsked = new Map<string, Date>();
  for (const request of log) lastAsked.set(`${request.host}${request.path}`, request.at);
  const sources = await db.selectFrom('sources').select(['id', 'url', 'created_at']).where('enabled', '=', true).execute();
  const limit = (maxIntervalSeconds + 30 * 60) * 1000;
  for (const source of sources) {
    const { host, path } = hostAndPath(source.url);
    const since = [lastAsked.get(`${host}${path}`), source.created_at, resumed.get(path)]
      .filter((d): d is Date => d !== undefined)
      .reduce((a, b) => (a > b ? a : b));
    if (now.getTime() - since.getTime() > limit)
      problems.push(`source ${source.id} (${path} on ${host}) not asked since ${since.toISOString()} (maxInterval ${maxIntervalSeconds} s)`);
  }
  return problems;
}

/**
 * Request starts to one host are spaced by hostSpacing (a redirect's hops are one chain).
 * Tidings grants starts on the database's clock; the grant reaches the poller after a round
 * trip whose time varies with the machine's load, so half the spacing is the bound.
 */
export function checkHostSpacing(starts: readonly RequestStart[], spacingMs: number): string[] {
  const problems: string[] = [];
  const chainStart = new Map<string, RequestStart>();
  for (const start of starts) {
    if (start.hop) continue;
    const previous = chainStart.get(start.host);
    if (previous && start.ms - previous.ms < spacingMs / 2) {
      problems.push(
        `${start.host}: two requests started ${Math.round(start.ms - previous.ms)} ms apart (spacing ${spacingMs} ms): ${previous.path}, ${start.path}`,
      );
    }
    chainStart.set(start.host, start);
  }
  return problems;
}
