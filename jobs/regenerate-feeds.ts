/**
 * Re-renders the feeds of topics whose content changed, in all three formats from one
 * FeedDocument, and when any format's bytes differ from the stored ones saves all three as
 * a new generation. It renders while holding the document's lock: two processes
 * regenerating one document at once (the service and `tidings digest build`) take turns,
 * and the later sees what the earlier committed, so the stored formats are always one
 * render's, and the newest. Serving never renders the default documents.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AppContext } from '../src/app-context.ts';
import type { LiveTopics } from '../src/topic-registry.ts';
import type { DB, FeedFormat, FeedKind } from '../src/db/schema.ts';
import { digestFeedDocument, type DigestTopicInfo } from '../src/render/digest.ts';
import { renderFeed, type FeedDocument } from '../src/render/feed-formats.ts';
import { documentHubs } from '../src/render/hub-links.ts';
import { topicFeedDocument, topicFeedUrls } from '../src/render/topic-feed.ts';
import { recentDigests } from '../src/store/digests.ts';
import { FORMATS, saveGeneration, storedEtags, withDocumentLock, type RenderedBody } from '../src/store/rendered-feeds.ts';
import { topicFeedEntries } from '../src/store/stories.ts';
import { archiveExtent, archiveFullPages } from '../src/store/topic-archive.ts';
import { currentArchiveLinks, withUnarchived } from './archive-pages.ts';
import { queueDocumentChanges } from '../src/store/websub-outbox.ts';

/** Entries in the stored documents; other `limit`s are rendered on demand and cached. */
export const DEFAULT_FEED_LIMIT = 50;

/** What regenerating reads; every new generation is told to `rendered` (the serving cache). */
export type RegenerateContext = Pick<AppContext, 'db' | 'publicUrl' | 'log' | 'now' | 'metrics' | 'rendered' | 'config'> & {
  /** The topics now (src/topic-registry.ts): a topic removed meanwhile is not rendered again. */
  topics: LiveTopics;
};

export interface RegenerateOptions {
  /** Only these topics (default: every topic). */
  topics?: Iterable<string> | undefined;
  /** Only these documents (default: the topic feed and the digest feed). */
  kinds?: readonly FeedKind[] | undefined;
}

/** A strong ETag (RFC 9110 §8.8.3): a hash of the exact bytes served. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

async function topicDocument(db: Kysely<DB>, topic: DigestTopicInfo, kind: FeedKind, publicUrl: string, limit: number): Promise<FeedDocument> {
  if (kind === 'feed') {
    // The stored document also holds the stories not archived yet (archive-pages.ts), and links to the archive.
    const newest = await topicFeedEntries(db, topic.slug, limit);
    const doc = topicFeedDocument(topic, limit === DEFAULT_FEED_LIMIT ? await withUnarchived(db, topic.slug, newest) : newest, publicUrl);
    doc.archive = currentArchiveLinks(await archiveExtent(db, topic.slug), publicUrl, topic.slug);
    return doc;
  }
  return digestFeedDocument(topic, await recentDigests(db, topic.slug, limit), publicUrl);
}

/** Renders one topic's documents of a kind for a given number of entries (no saving). */
export async function renderTopicDocuments(
  db: Kysely<DB>,
  topic: DigestTopicInfo,
  kind: FeedKind,
  publicUrl: string,
  limit: number,
  hubs: readonly string[] = [],
): Promise<Record<FeedFormat, string>> {
  // WebSub §4: every document names its hubs (and itself, as it always has).
  const doc = { ...(await topicDocument(db, topic, kind, publicUrl, limit)), hubs };
  return { rss: renderFeed(doc, 'rss'), atom: renderFeed(doc, 'atom'), json: renderFeed(doc, 'json') };
}

/**
 * Regenerates the documents of the given topics (all topics when omitted) and
 * kinds (topic feed and digest feed by default); returns how many documents changed.
 */
export async function regenerateFeeds(ctx: RegenerateContext, options: RegenerateOptions = {}): Promise<number> {
  const wanted = options.topics === undefined ? null : new Set(options.topics);
  const kinds = options.kinds ?? ['feed', 'digest'];
  let changed = 0;
  for (const topic of ctx.topics.current().list) {
    if (wanted !== null && !wanted.has(topic.slug)) continue;
    for (const kind of kinds) changed += await regenerateDocuments(ctx, topic, kind);
  }
  if (changed > 0) ctx.log.info({ component: 'render', documents: changed }, 'feeds regenerated');
  return changed;
}

/** Returns how many formats changed (0, or all three formats saved as a new generation). */
async function regenerateDocuments(ctx: RegenerateContext, topic: DigestTopicInfo, kind: FeedKind): Promise<number> {
  const key = { topic: topic.slug, kind };
  const { websub } = ctx.config;
  const saved = await withDocumentLock(ctx.db, key, async (trx) => {
    // Under the document's lock: one process at a time numbers the topic's new archive pages.
    if (kind === 'feed') await archiveFullPages(trx, topic.slug);
    const rendered = await renderTopicDocuments(trx, topic, kind, ctx.publicUrl, DEFAULT_FEED_LIMIT, documentHubs(websub, ctx.publicUrl));
    const bodies = Object.fromEntries(FORMATS.map((format) => [format, { body: rendered[format], etag: etagOf(rendered[format]) }])) as Record<
      FeedFormat,
      RenderedBody
    >;
    const stored = await storedEtags(trx, key);
    const changed = FORMATS.filter((format) => stored[format] !== bodies[format].etag);
    if (changed.length === 0) return null;
    const generation = await saveGeneration(trx, key, bodies, ctx.now());
    // In this transaction: the pings and distributions of this change are queued exactly
    // when it is saved, once, whichever process saved it (src/store/websub-outbox.ts).
    const urls = topicFeedUrls(ctx.publicUrl, topic.slug, kind);
    const topicUrls = changed.map((format) => urls[format]);
    await queueDocumentChanges(trx, { hubs: websub.hubs, topicUrls, toSubscribers: websub.builtin }, ctx.now());
    return { changed: changed.length, generation };
  });
  if (saved === null) return 0;
  ctx.metrics.regenerations.inc({ kind }, saved.changed);
  ctx.rendered.notify(saved.generation);
  return saved.changed;
}
