/**
 * The "Also reported by" line of a topic feed entry, from stored copies through the real
 * store and grouping to the rendered document: each link goes to the copy of the outlet it
 * names, without the publisher's tracking parameters.
 */
import { describe, expect, it } from 'vitest';
import { canonicalUrl, isOnOwnSite, storyGrouping } from '../../src/dedupe/index.ts';
import { itemFeatures } from '../../src/ingest/read-feed.ts';
import { parseFeedsConfig } from '../../src/config/load-config.ts';
import { topicFeedDocument } from '../../src/render/topic-feed.ts';
import { upsertItems } from '../../src/store/items.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { groupPendingItems } from '../../src/store/story-assignment.ts';
import { topicFeedEntries } from '../../src/store/stories.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeItem } from '../helpers/items.ts';
import { labeledItems } from '../helpers/labeled-set.ts';

const grouping = storyGrouping(parseFeedsConfig({}, 'x').dedupe);
const now = new Date('2026-12-01T00:00:00Z');
const story = labeledItems[0]!;
const database = useTestDatabase();

interface Source {
  feed: string;
  title?: string;
  site: string;
}
const WIRE: Source = { feed: 'https://wire.example/feed', title: 'Wire Service', site: 'https://wire.example/' };
const DAILY: Source = { feed: 'https://daily.example/feed', title: 'The Daily', site: 'https://daily.example/' };
const RADIO: Source = { feed: 'https://radio.example/rss', title: 'Radio One', site: 'https://radio.example/' };

/**
 * Stores each source's copy of the labeled story (same text, its own link), one poll per
 * source in turn, `minutes` after the first; then renders the topic feed's first entry.
 */
async function alsoReportedBy(copies: Array<{ source: Source; url: string; minutes: number }>) {
  const sources = [...new Set(copies.map((c) => c.source))];
  await syncConfigSources(
    database.db,
    sources.map((s) => ({ url: s.feed, title: s.title, topics: ['korea'] })),
    now,
  );
  const ids = new Map((await database.db.selectFrom('sources').select(['id', 'url']).execute()).map((r) => [r.url, r.id]));
  for (const copy of copies) {
    const item = makeItem({
      key: `${copy.source.feed} ${copy.url}`,
      url: copy.url,
      title: story.title,
      summary: story.text.slice(0, 300),
      contentHtml: `<p>${story.text}</p>`,
      publishedAt: new Date(new Date(story.publishedAt).getTime() + copy.minutes * 60_000),
      topics: ['korea'],
    });
    const storable = {
      ...item,
      canonicalUrl: canonicalUrl(copy.url),
      ownSite: isOnOwnSite(copy.url, [copy.source.site, copy.source.feed]),
      signature: itemFeatures(item).signature,
    };
    const written = await upsertItems(database.db, ids.get(copy.source.feed)!, [storable], now);
    await groupPendingItems(database.db, now, grouping, written.updatedIds);
  }
  const entries = await topicFeedEntries(database.db, 'korea', 10);
  expect(entries).toHaveLength(1);
  const entry = topicFeedDocument({ slug: 'korea', title: 'Korea', description: '' }, entries, 'https://feeds.test').entries[0]!;
  return { html: /<p><small>Also reported by: (.*)<\/small><\/p>$/.exec(entry.contentHtml)?.[1], extension: entry.extension };
}

describe('"Also reported by" links', () => {
  it("link each other outlet's own copy, without its tracking parameters", async () => {
    const { html, extension } = await alsoReportedBy([
      { source: WIRE, url: 'https://wire.example/2026/12/01/story', minutes: 0 },
      { source: DAILY, url: 'https://daily.example/world/copy?id=7&utm_source=rss&utm_medium=feed', minutes: 5 },
      { source: RADIO, url: 'https://radio.example/news/1?utm_campaign=korea&fbclid=abc#top', minutes: 10 },
    ]);
    expect(html).toBe('<a href="https://daily.example/world/copy?id=7">The Daily</a>, <a href="https://radio.example/news/1#top">Radio One</a>');
    expect(extension).toEqual({
      also_reported_by: [
        { source: 'The Daily', url: 'https://daily.example/world/copy?id=7', title: story.title },
        { source: 'Radio One', url: 'https://radio.example/news/1#top', title: story.title },
      ],
    });
  });

  it('pair each label with its own copy when two outlets publish on one host', async () => {
    const weekend: Source = { feed: 'https://daily.example/weekend/feed', title: 'Daily Weekend', site: 'https://daily.example/weekend/' };
    const { html } = await alsoReportedBy([
      { source: WIRE, url: 'https://wire.example/2026/12/01/story', minutes: 0 },
      { source: weekend, url: 'https://daily.example/weekend/copy?utm_source=weekend', minutes: 5 },
      { source: DAILY, url: 'https://daily.example/world/copy?utm_source=daily', minutes: 10 },
    ]);
    expect(html).toBe('<a href="https://daily.example/weekend/copy">Daily Weekend</a>, <a href="https://daily.example/world/copy">The Daily</a>');
  });

  it("name an untitled source by its copy's host, not by its feed's", async () => {
    const untitled: Source = { feed: 'https://feeds.feedhost.example/outlet-c', site: 'https://www.outlet-c.example/' };
    const { html } = await alsoReportedBy([
      { source: WIRE, url: 'https://wire.example/2026/12/01/story', minutes: 0 },
      { source: untitled, url: 'https://www.outlet-c.example/story?utm_source=feedhost', minutes: 5 },
    ]);
    expect(html).toBe('<a href="https://www.outlet-c.example/story">outlet-c.example</a>');
  });

  it('name an article after the outlet whose site it is on, not an aggregator that listed it first', async () => {
    const aggregator: Source = { feed: 'https://aggregator.example/feed', title: 'Aggregator', site: 'https://aggregator.example/' };
    const { html } = await alsoReportedBy([
      { source: WIRE, url: 'https://wire.example/2026/12/01/story', minutes: 0 },
      { source: aggregator, url: 'https://daily.example/world/copy?utm_source=aggregator', minutes: 5 },
      { source: DAILY, url: 'https://daily.example/world/copy', minutes: 10 },
    ]);
    expect(html).toBe('<a href="https://daily.example/world/copy">The Daily</a>');
  });
});
