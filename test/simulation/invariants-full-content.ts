/**
 * Full article text (sources with fullContent), checked each simulated hour against the
 * world: a publisher's page is asked for at most once per version of its item (a version
 * ends when the publisher edits the item's title), and every stored article is the story
 * (all its paragraphs), none of the boilerplate around it on the page, with no failures.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import { htmlToPlainText } from '../../src/text/html-text.ts';
import type { World } from './world.ts';
import type { LoggedRequest } from './world-server.ts';

export async function checkFullContent(db: Kysely<DB>, world: World, log: readonly LoggedRequest[]): Promise<string[]> {
  const problems: string[] = [];
  const asked = new Map<string, number>();
  for (const request of log)
    if (request.path.startsWith('/articles/')) asked.set(`${request.host}${request.path}`, (asked.get(`${request.host}${request.path}`) ?? 0) + 1);
  const items = new Map(world.feeds.filter((f) => f.fullContent).flatMap((f) => (world.items.get(f.id) ?? []).map((item) => [item.url, item])));
  for (const item of items.values()) {
    const url = new URL(item.url);
    const times = asked.get(`${url.hostname}${url.pathname}`) ?? 0;
    if (times > 1 + item.edits.length) problems.push(`${item.url} was asked for ${times} times for ${1 + item.edits.length} version(s) of its item`);
  }
  const stored = await db
    .selectFrom('items as i')
    .innerJoin('sources as s', 's.id', 'i.source_id')
    .select(['i.url', 'i.full_content_html', 'i.full_content_error'])
    .where('s.full_content', '=', true)
    .execute();
  // Not vacuous: the teasers' items are stored with their articles.
  const matched = stored.filter((row) => row.url !== null && items.has(row.url));
  if (matched.length > 0 && matched.every((row) => row.full_content_html === null))
    problems.push(`none of ${matched.length} teaser items has its article stored`);
  for (const row of stored) {
    const item = row.url === null ? undefined : items.get(row.url);
    if (item === undefined) continue;
    if (row.full_content_error !== null) problems.push(`${row.url}: no article extracted (${row.full_content_error})`);
    if (row.full_content_html === null) continue;
    const text = htmlToPlainText(row.full_content_html);
    if (text.includes('SIM-BOILERPLATE')) problems.push(`${row.url}: the stored article holds the page's boilerplate`);
    const missing = item.paragraphs.filter((p) => !text.includes(p));
    if (missing.length > 0) problems.push(`${row.url}: the stored article lacks ${missing.length} of the story's ${item.paragraphs.length} paragraphs`);
  }
  return problems;
}
