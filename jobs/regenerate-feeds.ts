/**
 * Re-renders the feeds of topics whose content changed, in all three formats, and saves
 * each document whose bytes differ from the stored one. Serving never renders.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, FeedFormat, FeedKind } from '../src/db/schema.ts';
import type { Logger } from '../src/logger.ts';
import type { Metrics } from '../src/metrics.ts';
import { digestFeedDocument } from '../src/render/digest.ts';
import { renderFeed, type FeedDocument } from '../src/render/feed-formats.ts';
import { topicFeedDocument, type TopicInfo } from '../src/render/topic-feed.ts';
import { recentDigests } from '../src/store/digests.ts';
import { saveRenderedFeed, type RenderedDocument } from '../src/store/rendered-feeds.ts';
import { topicFeedEntries } from '../src/store/stories.ts';

/** Entries in the stored documents; other `limit`s are rendered on demand and cached. */
export const DEFAULT_FEED_LIMIT = 50;
const FORMATS: FeedFormat[] = ['rss', 'atom', 'json'];

export interface RegenerateContext {
  db: Kysely<DB>;
  topics: readonly TopicInfo[];
  publicUrl: string;
  log: Logger;
  now: () => Date;
  metrics?: Metrics | undefined;
  /** Told about every document that changed (the local serving cache). */
  onChange?: ((doc: RenderedDocument & { updated_at: Date }) => void) | undefined;
}

/** A strong ETag (RFC 9110 §8.8.3): a hash of the exact bytes served. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

async function topicDocument(db: Kysely<DB>, topic: TopicInfo, kind: FeedKind, publicUrl: string, limit: number): Promise<FeedDocument> {
  if (kind === 'feed') return topicFeedDocument(topic, await topicFeedEntries(db, topic.slug, limit), publicUrl);
  return digestFeedDocument(topic, await recentDigests(db, topic.slug, limit), publicUrl);
}

/** Renders one topic's documents of a kind for a given number of entries (no saving). */
export async function renderTopicDocuments(
  db: Kysely<DB>,
  topic: TopicInfo,
  kind: FeedKind,
  publicUrl: string,
  limit: number,
): Promise<Record<FeedFormat, string>> {
  const doc = await topicDocument(db, topic, kind, publicUrl, limit);
  return { rss: renderFeed(doc, 'rss'), atom: renderFeed(doc, 'atom'), json: renderFeed(doc, 'json') };
}

/**
 * Regenerates the documents of the given topics (all configured topics when omitted) and
 * kinds (topic feed and digest feed by default); returns how many documents changed.
 */
export async function regenerateFeeds(ctx: RegenerateContext, slugs?: Iterable<string>, kinds: readonly FeedKind[] = ['feed', 'digest']): Promise<number> {
  const wanted = slugs === undefined ? null : new Set(slugs);
  let changed = 0;
  for (const topic of ctx.topics) {
    if (wanted !== null && !wanted.has(topic.slug)) continue;
    for (const kind of kinds) changed += await regenerateDocuments(ctx, topic, kind);
  }
  if (changed > 0) ctx.log.info({ documents: changed }, 'feeds regenerated');
  return changed;
}

async function regenerateDocuments(ctx: RegenerateContext, topic: TopicInfo, kind: FeedKind): Promise<number> {
  let changed = 0;
  const bodies = await renderTopicDocuments(ctx.db, topic, kind, ctx.publicUrl, DEFAULT_FEED_LIMIT);
  for (const format of FORMATS) {
    const doc: RenderedDocument = { topic: topic.slug, kind, format, body: bodies[format], etag: etagOf(bodies[format]) };
    const now = ctx.now();
    if (await saveRenderedFeed(ctx.db, doc, now)) {
      changed++;
      ctx.metrics?.regenerations.inc({ kind });
      ctx.onChange?.({ ...doc, updated_at: now });
    }
  }
  return changed;
}
