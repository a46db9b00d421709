/**
 * The archive invariant (RFC 5005 §4, src/store/topic-archive.ts), checked each simulated
 * hour: walking `next_url` (JSON Feed's prev-archive) from the current document reaches every
 * story of the topic stored in the database, each on at most one archive page, and those on
 * none are in the current document. A page, once served, never gains a story and never
 * loses one that is still stored: it may only lose stories that are gone (retention, a
 * deleted source, a merge), which is the one change to a published page we allow.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';

interface JsonDocument {
  next_url?: string;
  items: Array<{ id: string }>;
}

/** What each archive page listed when it was last walked, by its URL. */
export type ArchivePagesSeen = Map<string, Set<string>>;

/** At most this many pages are walked (a loop in the links must not hang the simulation). */
const MAX_PAGES = 1000;

async function storedStoryIds(db: Kysely<DB>, topic: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('story_topics as st')
    .innerJoin('stories as s', 's.id', 'st.story_id')
    .select('s.guid')
    .where('st.topic', '=', topic)
    .execute();
  return new Set(rows.map((row) => `urn:uuid:${row.guid}`));
}

/** `serviceUrl` replaces `publicUrl` in the links, so they can be followed. */
export async function checkArchive(
  name: string,
  db: Kysely<DB>,
  serviceUrl: string,
  publicUrl: string,
  topic: string,
  seen: ArchivePagesSeen,
): Promise<string[]> {
  const problems: string[] = [];
  const read = async (url: string) => (await (await fetch(url.replace(publicUrl, serviceUrl))).json()) as JsonDocument;
  const current = await read(`${serviceUrl}/topics/${topic}/feed.json`);
  const stored = await storedStoryIds(db, topic);
  const pageOf = new Map<string, string>();
  let walked = 0;
  for (let url = current.next_url; url !== undefined && walked < MAX_PAGES; walked++) {
    const page = await read(url);
    const ids = new Set(page.items.map((item) => item.id));
    for (const id of ids) {
      const other = pageOf.get(id);
      if (other !== undefined) problems.push(`${name}: story ${id} is on two archive pages (${other} and ${url})`);
      pageOf.set(id, url);
    }
    const before = seen.get(url);
    if (before !== undefined) {
      for (const id of ids) if (!before.has(id)) problems.push(`${name}: archive page ${url} gained story ${id} after it was published`);
      for (const id of before) if (!ids.has(id) && stored.has(id)) problems.push(`${name}: archive page ${url} lost story ${id}, which is still stored`);
    }
    seen.set(url, ids);
    url = page.next_url;
  }
  if (walked === MAX_PAGES) problems.push(`${name}: more than ${MAX_PAGES} archive pages, or a loop in their links`);
  const inCurrent = new Set(current.items.map((item) => item.id));
  for (const id of stored) {
    if (!pageOf.has(id) && !inCurrent.has(id)) problems.push(`${name}: stored story ${id} is neither in the current document nor on an archive page`);
  }
  return problems;
}
