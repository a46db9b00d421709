/**
 * The archive side of a topic feed (RFC 5005 §4; src/store/topic-archive.ts): what the
 * current document adds for it when regenerate-feeds.ts renders it, and the archive pages,
 * rendered on demand for the archive routes (src/http/archive-routes.ts), and the stories of
 * the topic pages for browsers (src/http/topic-page-routes.ts). Not a scheduled
 * job: regenerating a topic feed archives its full pages (archiveFullPages) under the
 * document's lock.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../src/db/schema.ts';
import type { FeedEntry } from '../src/model.ts';
import { archivePageUrls, type ArchiveLinks } from '../src/render/archive-links.ts';
import type { DigestTopicInfo } from '../src/render/digest.ts';
import { renderFeed, type FeedDocument, type FeedFormat } from '../src/render/feed-formats.ts';
import { topicFeedDocument, topicFeedUrls } from '../src/render/topic-feed.ts';
import type { RiverStories } from '../src/render/topic-page.ts';
import { archiveExtent, archivePageEntries, unarchivedEntries, type ArchiveExtent } from '../src/store/topic-archive.ts';

/** The current document's archive link: to the newest page, when one still holds a story. */
export function currentArchiveLinks(extent: ArchiveExtent, publicUrl: string, slug: string): ArchiveLinks {
  const newest = extent.pages - 1;
  return { isArchive: false, prev: extent.oldest === null ? undefined : archivePageUrls(publicUrl, slug, newest) };
}

/**
 * The current document's entries: the newest stories, and any story not archived yet that
 * is older than those (one that arrived late with an old date), at the end, so that walking
 * back from the current document reaches every story.
 */
export async function withUnarchived(db: Kysely<DB>, topic: string, newest: FeedEntry[]): Promise<FeedEntry[]> {
  const shown = new Set(newest.map((entry) => entry.storyId));
  const late = (await unarchivedEntries(db, topic)).filter((entry) => !shown.has(entry.storyId));
  return late.length === 0 ? newest : [...newest, ...late];
}

export type ArchivePage =
  | { status: 'found'; doc: FeedDocument; extent: ArchiveExtent }
  /** Numbered, but every story on it (and before it) is gone: retention or deletion. */
  | { status: 'gone'; extent: ArchiveExtent }
  /** No such page (yet). */
  | { status: 'missing'; extent: ArchiveExtent };

/** One archive page as a feed document, or why there is none. */
export async function archivePageDocument(db: Kysely<DB>, topic: DigestTopicInfo, page: number, publicUrl: string): Promise<ArchivePage> {
  const extent = await archiveExtent(db, topic.slug);
  if (page >= extent.pages) return { status: 'missing', extent };
  if (extent.oldest === null || page < extent.oldest) return { status: 'gone', extent };
  const entries = await archivePageEntries(db, topic.slug, page);
  const doc = topicFeedDocument(topic, entries, publicUrl);
  doc.urls = archivePageUrls(publicUrl, topic.slug, page);
  doc.archive = {
    isArchive: true,
    prev: page > extent.oldest ? archivePageUrls(publicUrl, topic.slug, page - 1) : undefined,
    current: topicFeedUrls(publicUrl, topic.slug, 'feed'),
  };
  return { status: 'found', doc, extent };
}

/** An archive page in one format, or why there is none. */
export async function renderArchivePage(
  db: Kysely<DB>,
  topic: DigestTopicInfo,
  page: number,
  format: FeedFormat,
  publicUrl: string,
): Promise<{ status: 'found'; body: string } | { status: 'gone' | 'missing' }> {
  const found = await archivePageDocument(db, topic, page, publicUrl);
  return found.status === 'found' ? { status: 'found', body: renderFeed(found.doc, format) } : { status: found.status };
}

const newestFirst = (a: FeedEntry, b: FeedEntry) => b.publishedAt.getTime() - a.publishedAt.getTime() || b.storyId - a.storyId;

/**
 * The topic page: the stories not archived yet and those of the newest archive page, so that
 * paging back from it ("Older stories": the page before) shows every story once.
 */
export async function topicPageStories(db: Kysely<DB>, slug: string): Promise<RiverStories & { status: 'found' }> {
  const extent = await archiveExtent(db, slug);
  const newest = extent.pages - 1;
  const unarchived = await unarchivedEntries(db, slug);
  if (extent.oldest === null) return { status: 'found', stories: unarchived, paging: { page: null, older: null, newer: null } };
  const stories = [...unarchived, ...(await archivePageEntries(db, slug, newest))].sort(newestFirst);
  return { status: 'found', stories, paging: { page: null, older: newest - 1 >= extent.oldest ? newest - 1 : null, newer: null } };
}

/** One archive page for browsers; its newer neighbour is the topic page when that shows the next page's stories. */
export async function archivePageStories(db: Kysely<DB>, slug: string, page: number): Promise<RiverStories> {
  const extent = await archiveExtent(db, slug);
  if (page >= extent.pages) return { status: 'missing' };
  if (extent.oldest === null || page < extent.oldest) return { status: 'gone' };
  const stories = await archivePageEntries(db, slug, page);
  return {
    status: 'found',
    stories,
    paging: { page, older: page - 1 >= extent.oldest ? page - 1 : null, newer: page + 1 >= extent.pages - 1 ? 'topic' : page + 1 },
  };
}
