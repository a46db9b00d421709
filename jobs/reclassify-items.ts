/**
 * Re-applies the topic rules to stored items when the rules changed (feeds.config.json
 * topics or the config sources' topics), so a feed reflects the new rules at start-up
 * instead of only for items ingested afterwards. Items inside the retention window only.
 * The topic feeds whose content changed are re-rendered before the job returns.
 */
import { createHash } from 'node:crypto';
import type { AppContext } from '../src/app-context.ts';
import { classify } from '../src/ingest/classify.ts';
import { htmlToPlainText } from '../src/text/html-text.ts';
import { itemsToClassify, setItemTopics } from '../src/store/items.ts';
import { getSetting, putSetting } from '../src/store/settings.ts';
import { listSourceTopics } from '../src/store/source-reads.ts';
import { refreshStories } from '../src/store/stories.ts';
import { regenerateFeeds, type RegenerateContext } from './regenerate-feeds.ts';

const SETTING = 'classification_rules';
const PAGE = 1000;

export type ReclassifyContext = RegenerateContext & Pick<AppContext, 'config'>;

export interface ReclassifyOptions {
  /** Only the items of these sources (default: every source's). */
  sourceIds?: ReadonlySet<number> | undefined;
}

/** A fingerprint of everything classification depends on. */
async function rulesFingerprint(ctx: ReclassifyContext): Promise<string> {
  const sources = await listSourceTopics(ctx.db);
  const rules = {
    topics: ctx.topics.current().list.map((t) => [t.slug, t.include, t.exclude]),
    // `source:` rules read the source's title and URL.
    sources: sources.map((s) => [s.id, [...s.topics].sort(), s.title, s.url]),
  };
  return createHash('sha256').update(JSON.stringify(rules)).digest('hex');
}

/**
 * Re-classifies under the rules in force now and records them as applied (an admin's change
 * to the topics, jobs/apply-topic-changes.ts), so the next start does not do it again.
 */
export async function reclassifyUnderCurrentRules(ctx: ReclassifyContext): Promise<Set<string>> {
  const fingerprint = await rulesFingerprint(ctx);
  const changed = await reclassifyItems(ctx);
  await putSetting(ctx.db, SETTING, fingerprint, ctx.now());
  return changed;
}

/** Re-classifies when the rules changed since the last run; returns the topics whose content changed. */
export async function reclassifyIfRulesChanged(ctx: ReclassifyContext): Promise<Set<string>> {
  const fingerprint = await rulesFingerprint(ctx);
  const previous = await getSetting(ctx.db, SETTING);
  if (previous === fingerprint) return new Set();
  const changed = previous === null ? new Set<string>() : await reclassifyItems(ctx);
  await putSetting(ctx.db, SETTING, fingerprint, ctx.now());
  return changed;
}

/** Re-classifies the retention window's items; returns the topics whose feeds changed (re-rendered). */
export async function reclassifyItems(ctx: ReclassifyContext, options: ReclassifyOptions = {}): Promise<Set<string>> {
  const { sourceIds } = options;
  const started = performance.now();
  const now = ctx.now();
  const since = new Date(now.getTime() - ctx.config.retention.days * 86_400_000);
  const sources = new Map((await listSourceTopics(ctx.db)).map((s) => [s.id, s]));
  const { compiled } = ctx.topics.current();
  const stories = new Set<number>();
  let scanned = 0;
  let updated = 0;
  for (let afterId = 0; ; ) {
    const rows = await itemsToClassify(ctx.db, since, afterId, PAGE);
    if (rows.length === 0) break;
    afterId = rows.at(-1)!.id;
    scanned += rows.length;
    const updates = rows
      .filter((row) => sourceIds === undefined || sourceIds.has(row.source_id))
      .map((row) => ({
        row,
        topics: classify(
          {
            title: row.title,
            summary: row.summary,
            categories: row.categories,
            author: row.author,
            contentText: row.content_html ? htmlToPlainText(row.content_html) : '',
            source: sources.get(row.source_id),
          },
          sources.get(row.source_id)?.topics ?? [],
          compiled,
        ),
      }))
      .filter(({ row, topics }) => topics.join('\u0000') !== row.topics.join('\u0000'));
    await setItemTopics(
      ctx.db,
      updates.map(({ row, topics }) => ({ id: row.id, topics })),
    );
    for (const { row } of updates) if (row.story_id !== null) stories.add(row.story_id);
    updated += updates.length;
  }
  const topics = new Set<string>();
  const storyIds = [...stories];
  for (let start = 0; start < storyIds.length; start += PAGE) {
    for (const topic of await refreshStories(ctx.db, storyIds.slice(start, start + PAGE), now)) topics.add(topic);
  }
  ctx.log.info(
    { component: 'classify', scanned, updated, stories: storyIds.length, durationMs: Math.round(performance.now() - started) },
    'items re-classified',
  );
  if (topics.size > 0) await regenerateFeeds(ctx, { topics, kinds: ['feed'] });
  return topics;
}
