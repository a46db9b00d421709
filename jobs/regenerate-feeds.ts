/**
 * Re-renders the feeds of topics whose content changed, in all three formats, and saves
 * each document whose bytes differ from the stored one. Serving never renders.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, FeedFormat } from '../src/db/schema.ts';
import type { Logger } from '../src/logger.ts';
import { renderFeed } from '../src/render/feed-formats.ts';
import { topicFeedDocument, type TopicInfo } from '../src/render/topic-feed.ts';
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
  /** Told about every document that changed (the local serving cache). */
  onChange?: ((doc: RenderedDocument & { updated_at: Date }) => void) | undefined;
}

/** A strong ETag (RFC 9110 §8.8.3): a hash of the exact bytes served. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/** Renders one topic's documents for a given number of entries (no saving). */
export async function renderTopicDocuments(db: Kysely<DB>, topic: TopicInfo, publicUrl: string, limit: number): Promise<Record<FeedFormat, string>> {
  const doc = topicFeedDocument(topic, await topicFeedEntries(db, topic.slug, limit), publicUrl);
  return { rss: renderFeed(doc, 'rss'), atom: renderFeed(doc, 'atom'), json: renderFeed(doc, 'json') };
}

/** Regenerates the given topics (all configured topics when omitted); returns how many documents changed. */
export async function regenerateFeeds(ctx: RegenerateContext, slugs?: Iterable<string>): Promise<number> {
  const wanted = slugs === undefined ? null : new Set(slugs);
  let changed = 0;
  for (const topic of ctx.topics) {
    if (wanted !== null && !wanted.has(topic.slug)) continue;
    const bodies = await renderTopicDocuments(ctx.db, topic, ctx.publicUrl, DEFAULT_FEED_LIMIT);
    for (const format of FORMATS) {
      const doc: RenderedDocument = { topic: topic.slug, kind: 'feed', format, body: bodies[format], etag: etagOf(bodies[format]) };
      const now = ctx.now();
      if (await saveRenderedFeed(ctx.db, doc, now)) {
        changed++;
        ctx.onChange?.({ ...doc, updated_at: now });
      }
    }
  }
  if (changed > 0) ctx.log.info({ documents: changed }, 'topic feeds regenerated');
  return changed;
}
