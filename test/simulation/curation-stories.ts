/**
 * Story curation in the simulated week (issue #18): at a few hours drawn from the seed, an
 * admin splits an item out of a story of several, merges two stories of one topic, hides an
 * item and later unhides it, through the admin API. Checked each hour:
 * - a split item (by source and item key: it may be stored anew) is never back in its former story;
 * - the items of merged stories are still in one story;
 * - a hidden item is in no topic document, as an entry or as "also reported by";
 * - right after each action, every topic it names holds a document rendered after it (the
 *   stored JSON Feed is what rendering the database now gives), so by the next hour for sure.
 * The world stories an action split or merged are `curated`: their entries may appear twice or
 * list each other's copies (checkTopicEntries lets them).
 */
import type { Kysely } from 'kysely';
import { DEFAULT_FEED_LIMIT, renderTopicDocuments } from '../../jobs/regenerate-feeds.ts';
import type { AppContext } from '../../src/app-context.ts';
import type { DB } from '../../src/db/schema.ts';
import { documentHubs } from '../../src/render/hub-links.ts';
import { findRenderedFeed } from '../../src/store/rendered-feeds.ts';
import { itemsByKey } from './invariants.ts';
import { seededRandom } from './random.ts';
import type { World } from './world.ts';

type Admin = (method: string, route: string, body?: unknown) => Promise<{ status: number; body: any }>;

export interface CurationDeps {
  world: () => World;
  admin: Admin;
  context: () => AppContext;
}

export interface StoryCurationSim {
  /** What the admin does, at its hours: add them to the week's actions. */
  actions: Array<{ hour: number; run: () => Promise<void> }>;
  /** World story keys whose stories an admin split or merged. */
  curated: Set<string>;
  /** The invariants above, and the problems the actions met. */
  check(): Promise<string[]>;
}

interface ItemRow {
  id: number;
  source_id: number;
  item_key: string;
  url: string | null;
  story_id: number;
}

export function storyCuration(seed: number, days: number, deps: CurationDeps): StoryCurationSim {
  const random = seededRandom(seed).fork('curation-stories');
  const last = days * 24 - 2;
  const hour = () => random.int(8, Math.max(8, last));
  const hideAt = random.int(8, Math.max(8, last - 6));
  const curated = new Set<string>();
  const problems: string[] = [];
  let split: { sourceId: number; itemKey: string; fromStoryId: number } | null = null;
  let merged: { itemIds: number[] } | null = null;
  let hidden: (ItemRow & { feedUrl: string }) | null = null;
  const touched = new Set<number>();

  const db = (): Kysely<DB> => deps.context().db;
  const note = (what: string, detail: unknown) => problems.push(`curation: ${what}: ${JSON.stringify(detail).slice(0, 300)}`);
  const curate = (items: readonly ItemRow[]) => {
    const byKey = itemsByKey(deps.world());
    for (const item of items) {
      touched.add(item.story_id);
      const key = byKey.get(item.item_key)?.item.storyKey;
      if (key !== undefined) curated.add(key);
    }
  };
  const itemsOf = (storyIds: number[]) =>
    db().selectFrom('items').select(['id', 'source_id', 'item_key', 'url', 'story_id']).where('story_id', 'in', storyIds).execute();

  /** The newest stories of a topic (unarchived only: an archive page never regains a story, so hiding one there is not undone cleanly). */
  async function recentStories(topic: string, minItems: number, unarchived = false): Promise<number[]> {
    let query = db()
      .selectFrom('story_topics as st')
      .innerJoin('stories as s', 's.id', 'st.story_id')
      .select('s.id')
      .where('st.topic', '=', topic)
      .where('s.item_count', '>=', minItems);
    if (unarchived)
      query = query.where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('topic_archive_entries as a').select('a.page').whereRef('a.story_id', '=', 's.id'))),
      );
    const rows = await query.orderBy('st.published_at', 'desc').limit(30).execute();
    return rows.map((r) => r.id).filter((id) => !touched.has(id));
  }

  /** Right after an action: every topic it names holds what rendering the database now gives. */
  async function checkRendered(action: string, topics: readonly string[]): Promise<void> {
    const ctx = deps.context();
    for (const slug of topics) {
      const topic = ctx.topics.current().bySlug.get(slug)!;
      const fresh = await renderTopicDocuments(ctx.db, topic, 'feed', ctx.publicUrl, DEFAULT_FEED_LIMIT, documentHubs(ctx.config.websub, ctx.publicUrl));
      if ((await findRenderedFeed(ctx.db, slug, 'feed', 'json'))?.body !== fresh.json) note(`${action} did not re-render ${slug}`, topics);
    }
  }

  async function act(action: string, route: string, body: unknown): Promise<any> {
    const answer = await deps.admin('POST', route, body);
    if (answer.status !== 200) note(`${action} answered ${answer.status}`, answer.body);
    else await checkRendered(action, answer.body.topics);
    return answer.status === 200 ? answer.body : null;
  }

  const actions = [
    {
      hour: hour(),
      run: async () => {
        const storyId = random.pick(await recentStories(random.pick(['korea', 'world']), 2));
        if (storyId === undefined) return void note('no story of several items to split', {});
        const items = await itemsOf([storyId]);
        const item = random.pick(items);
        curate(items);
        const done = await act('split', `/stories/${storyId}/split`, { itemId: item.id });
        if (done) {
          split = { sourceId: item.source_id, itemKey: item.item_key, fromStoryId: storyId };
          touched.add(done.story.id);
        }
      },
    },
    {
      hour: hour(),
      run: async () => {
        const candidates = await recentStories(random.pick(['korea', 'world']), 1);
        const first = random.pick(candidates);
        const second = random.pick(candidates.filter((id) => id !== first));
        if (first === undefined || second === undefined) return void note('no two stories to merge', {});
        const items = await itemsOf([first, second]);
        curate(items);
        if (await act('merge', '/stories/merge', { storyIds: [first, second] })) merged = { itemIds: items.map((i) => i.id) };
      },
    },
    {
      hour: hideAt,
      run: async () => {
        // A story on no archive page yet: hiding its only item takes it out of the topic, and
        // unhiding brings it back to its page, which the archive check would see as a page
        // gaining a story. Right after a page fills there may be none; then a story of several
        // items, which one hidden item leaves in the topic.
        const storyId = random.pick(await recentStories('korea', 1, true)) ?? random.pick(await recentStories('korea', 2));
        if (storyId === undefined) return void note('no story to hide an item of', {});
        const item = random.pick(await itemsOf([storyId]));
        touched.add(storyId);
        const source = await db().selectFrom('sources').select('url').where('id', '=', item.source_id).executeTakeFirstOrThrow();
        if (await act('hide', `/items/${item.id}/hide`, {})) hidden = { ...item, feedUrl: source.url };
      },
    },
    {
      hour: hideAt + random.int(2, 6),
      run: async () => {
        if (hidden !== null && (await act('unhide', `/items/${hidden.id}/unhide`, {}))) hidden = null;
      },
    },
  ];

  async function check(): Promise<string[]> {
    const found = problems.splice(0);
    if (split !== null) {
      const now = await db()
        .selectFrom('items')
        .select(['id', 'story_id'])
        .where('source_id', '=', split.sourceId)
        .where('item_key', '=', split.itemKey)
        .executeTakeFirst();
      if (now?.story_id === split.fromStoryId) found.push(`curation: split item #${now.id} is back in story #${split.fromStoryId}`);
    }
    if (merged !== null) {
      const rows = await db().selectFrom('items').select(['id', 'story_id']).where('id', 'in', merged.itemIds).execute();
      const stories = new Set(rows.map((r) => r.story_id));
      if (stories.size > 1) found.push(`curation: merged items are in ${stories.size} stories again (${[...stories].join(', ')})`);
    }
    const gone = hidden;
    for (const { slug } of gone === null ? [] : deps.context().topics.current().list) {
      const served = await findRenderedFeed(db(), slug, 'feed', 'json');
      for (const entry of (JSON.parse(served?.body ?? '{"items":[]}') as { items: Array<{ url: string; _tidings?: any }> }).items) {
        const own = entry.url === gone!.url && entry._tidings?.source?.feedUrl === gone!.feedUrl;
        const copy = (entry._tidings?.also_reported_by ?? []).some((c: { url: string | null }) => c.url !== null && c.url === gone!.url);
        if (own || (copy && (await sharedUrlVisible(gone!)) === 0)) found.push(`curation: hidden item #${gone!.id} (${gone!.url}) is in the ${slug} feed`);
      }
    }
    return found;
  }

  /** Visible items of other sources at the hidden item's URL in its story (they may list that URL rightly). */
  async function sharedUrlVisible(item: ItemRow): Promise<number> {
    const rows = await db()
      .selectFrom('items')
      .select('id')
      .where('story_id', '=', item.story_id)
      .where('url', '=', item.url)
      .where('id', '!=', item.id)
      .where('hidden_at', 'is', null)
      .execute();
    return rows.length;
  }

  return { actions, curated, check };
}
