/**
 * Cross-source story grouping through the real store: the labeled set is ingested poll by
 * poll (one batch per source, sources in turn, as concurrent polls land), and the stories
 * the database ends up with are compared with the labels.
 */
import { describe, expect, it } from 'vitest';
import { isOnOwnSite, storyGrouping } from '../../src/dedupe/index.ts';
import { itemFeatures } from '../../src/ingest/read-feed.ts';
import { parseFeedsConfig } from '../../src/config/load-config.ts';
import { upsertItems, type StorableItem } from '../../src/store/items.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { groupPendingItems } from '../../src/store/story-assignment.ts';
import { topicFeedEntries } from '../../src/store/stories.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeItem } from '../helpers/items.ts';
import { labeledItems, pairwiseQuality, type LabeledItem } from '../helpers/labeled-set.ts';

const labeled = labeledItems;
const grouping = storyGrouping(parseFeedsConfig({}, 'x').dedupe);
const database = useTestDatabase();
const now = new Date('2026-12-01T00:00:00Z');

function storable(item: LabeledItem, topics: string[] = ['korea']): StorableItem {
  const normalized = makeItem({
    key: item.id,
    url: item.url,
    title: item.title,
    summary: item.text.slice(0, 300),
    contentHtml: `<p>${item.text}</p>`,
    publishedAt: new Date(item.publishedAt),
  });
  // Every outlet here links its own site's articles, but 'evil', which lists another outlet's.
  const ownSite = item.source === 'evil' ? isOnOwnSite(item.url, ['https://evil.example/']) : true;
  const { canonicalUrl, contentHash, signature } = itemFeatures(normalized);
  return { ...normalized, canonicalUrl, contentHash, ownSite, topics, signature };
}

async function addSources(names: string[], options: Record<string, { priority?: number; nearDuplicates?: boolean }> = {}): Promise<Map<string, number>> {
  await syncConfigSources(
    database.db,
    names.map((n) => ({ url: `https://${n}.example/feed`, title: n, topics: [], ...options[n] })),
    now,
  );
  const rows = await database.db.selectFrom('sources').select(['id', 'url']).execute();
  return new Map(rows.map((r) => [new URL(r.url).hostname.replace('.example', ''), r.id]));
}

/**
 * One poll per source, as refresh-source does: its items are committed in a transaction of
 * their own (which queues the new ones for grouping), then the pending items are grouped.
 */
async function ingest(sourceIds: Map<string, number>, items: LabeledItem[]) {
  const bySource = new Map<string, LabeledItem[]>();
  for (const item of items) bySource.set(item.source, [...(bySource.get(item.source) ?? []), item]);
  for (const [source, batch] of bySource) {
    const written = await database.db.transaction().execute((trx) =>
      upsertItems(
        trx,
        sourceIds.get(source)!,
        batch.map((i) => storable(i)),
        now,
      ),
    );
    await groupPendingItems(database.db, now, grouping, written.updatedIds);
  }
}

async function storyOfItem(): Promise<Map<string, number>> {
  const rows = await database.db.selectFrom('items').select(['item_key', 'story_id']).execute();
  return new Map(rows.map((r) => [r.item_key, r.story_id!]));
}

describe('story grouping in the store', () => {
  it('groups the labeled set with precision ≥ 0.95 and recall ≥ 0.90', async () => {
    const sourceIds = await addSources([...new Set(labeled.map((i) => i.source))]);
    await ingest(sourceIds, labeled);
    const story = await storyOfItem();
    const { precision, recall, wrong: wrongPairs } = pairwiseQuality(labeled, (id) => story.get(id));
    const wrong = wrongPairs.map(([a, b, grouped]) => `${a.id}~${b.id} ${grouped ? 'wrongly grouped' : 'missed'}`);
    console.log(
      `store grouping: ${labeled.length} items, ${new Set(story.values()).size} stories (labels: ${new Set(labeled.map((i) => i.story)).size}), ` +
        `precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}${wrong.length ? `\n  ${wrong.join('\n  ')}` : ''}`,
    );
    expect(precision).toBeGreaterThanOrEqual(0.95);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });

  it('records why each item is in its story', async () => {
    const sourceIds = await addSources([...new Set(labeled.map((i) => i.source))]);
    await ingest(sourceIds, labeled);
    const reasons = await database.db.selectFrom('items').select(['item_key', 'story_reason']).execute();
    expect(reasons.every((r) => r.story_reason !== null)).toBe(true);
    const text = reasons.find((r) => r.story_reason?.via === 'text');
    expect(text?.story_reason).toMatchObject({
      via: 'text',
      matchedItemId: expect.any(Number),
      titleSimilarity: expect.any(Number),
      reason: expect.any(String),
    });
  });

  it('keeps the earliest copy as representative and the entry id when later copies join', async () => {
    const copies = labeled.filter((i) => i.story === labeled.find((x) => labeled.filter((y) => y.story === x.story).length >= 3)!.story);
    const sorted = [...copies].sort((a, b) => a.publishedAt.localeCompare(b.publishedAt));
    const sourceIds = await addSources([...new Set(copies.map((i) => i.source))]);
    await ingest(sourceIds, [sorted[1]!]);
    const [first] = await topicFeedEntries(database.db, 'korea', 10);
    await ingest(
      sourceIds,
      sorted.filter((_, i) => i !== 1),
    );
    const entries = await topicFeedEntries(database.db, 'korea', 10);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.guid).toBe(first!.guid);
    expect(entries[0]!.title).toBe(sorted[0]!.title);
    expect(entries[0]!.alsoReportedBy.length).toBe(new Set(copies.map((c) => c.source)).size - 1);
  });

  it("never lists the entry's own article as another outlet (one outlet, two feeds)", async () => {
    const sourceIds = await addSources(['yonhap', 'yonhapnk', 'other', 'othermirror']);
    const base = labeled[0]!;
    await ingest(sourceIds, [{ ...base, id: 'news', source: 'yonhap' }]);
    await ingest(sourceIds, [
      {
        ...base,
        id: 'nk',
        source: 'yonhapnk',
        url: `${base.url}?utm_source=nk_feed`,
        publishedAt: new Date(new Date(base.publishedAt).getTime() + 60_000).toISOString(),
      },
    ]);
    const reprint = 'https://other.example/2026/reprint';
    await ingest(sourceIds, [
      { ...base, id: 'other', source: 'other', url: reprint, publishedAt: new Date(new Date(base.publishedAt).getTime() + 120_000).toISOString() },
    ]);
    await ingest(sourceIds, [
      {
        ...base,
        id: 'mirror',
        source: 'othermirror',
        url: `${reprint}?fbclid=2`,
        publishedAt: new Date(new Date(base.publishedAt).getTime() + 180_000).toISOString(),
      },
    ]);
    const [entry, ...rest] = await topicFeedEntries(database.db, 'korea', 10);
    expect(rest).toEqual([]);
    expect(entry!.url).toBe(base.url);
    expect(entry!.alsoReportedBy.map((copy) => copy.url)).toEqual([reprint]);
  });

  it("keeps the original outlet's copy as the entry when another source lists its URL with an earlier date", async () => {
    const sourceIds = await addSources(['wire', 'evil']);
    const base = labeled[0]!;
    const original = 'https://wire.example/2026/11/30/original-story';
    const earlier = new Date(new Date(base.publishedAt).getTime() - 3 * 86_400_000).toISOString();
    await ingest(sourceIds, [{ ...base, id: 'evil-copy', source: 'evil', url: `${original}?utm_source=x`, title: 'Takeover headline', publishedAt: earlier }]);
    await ingest(sourceIds, [{ ...base, id: 'wire-original', source: 'wire', url: original, title: 'The original headline' }]);
    const [entry, ...rest] = await topicFeedEntries(database.db, 'korea', 10);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ title: 'The original headline', url: original, source: { title: 'wire' }, publishedAt: new Date(base.publishedAt) });
  });

  it('breaks publication-time ties by source priority', async () => {
    const sourceIds = await addSources(['low', 'high'], { high: { priority: 5 } });
    const base = labeled[0]!;
    await ingest(sourceIds, [{ ...base, id: 'low-copy', source: 'low' }]);
    await ingest(sourceIds, [{ ...base, id: 'high-copy', source: 'high', url: `${base.url}?utm_source=high` }]);
    const [entry] = await topicFeedEntries(database.db, 'korea', 10);
    expect(entry!.source.title).toBe('high');
  });

  it('lets a source opt out of text grouping (canonical URLs still group)', async () => {
    const sourceIds = await addSources(['wire', 'optout'], { optout: { nearDuplicates: false } });
    const base = labeled[0]!;
    await ingest(sourceIds, [{ ...base, id: 'wire-1', source: 'wire' }]);
    await ingest(sourceIds, [{ ...base, id: 'optout-text-copy', source: 'optout', url: 'https://optout.example/elsewhere' }]);
    await ingest(sourceIds, [{ ...base, id: 'optout-url-copy', source: 'optout', url: `${base.url}?fbclid=1` }]);
    const story = await storyOfItem();
    expect(story.get('optout-text-copy')).not.toBe(story.get('wire-1'));
    expect(story.get('optout-url-copy')).toBe(story.get('wire-1'));
  });

  it('keeps copies further apart than the window in different stories', async () => {
    const sourceIds = await addSources(['wire', 'late']);
    const base = labeled[0]!;
    const later = new Date(new Date(base.publishedAt).getTime() + 8 * 86_400_000).toISOString();
    await ingest(sourceIds, [{ ...base, id: 'w', source: 'wire' }]);
    await ingest(sourceIds, [{ ...base, id: 'l', source: 'late', url: 'https://late.example/reprint', publishedAt: later }]);
    const story = await storyOfItem();
    expect(story.get('l')).not.toBe(story.get('w'));
  });
});
