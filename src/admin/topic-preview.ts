/**
 * Trying topic rules before putting them in feeds.config.json: which items of the last
 * N days a candidate set of include/exclude phrases would add to or remove from a topic,
 * and which phrase decided. Read-only; the stored classification is not changed.
 */
import { compileTopics, explainTopics } from '../ingest/classify.ts';
import { htmlToPlainText } from '../text/html-text.ts';
import { itemsPublishedSince, type PreviewableItem } from '../store/item-lists.ts';
import type { AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { checkPhrases, checkPreviewDays } from './validate.ts';
import { sourceName } from './wording.ts';

export interface TopicPreviewInput {
  /** Candidate phrases; each list defaults to the topic's current one. */
  include?: readonly string[] | undefined;
  exclude?: readonly string[] | undefined;
  /** How far back to look (default 7 days). */
  days?: number | undefined;
}

export interface PreviewEntry {
  id: number;
  title: string;
  url: string | null;
  publishedAt: Date;
  source: { id: number; title: string };
  /** 'source' (the source lists the topic) or the include phrase that matched; null when none did. */
  matchedBy: string | null;
  /** The exclude phrase that keeps it out, if any. */
  excludedBy: string | null;
}

export interface TopicPreview {
  topic: string;
  include: string[];
  exclude: string[];
  days: number;
  /** Items examined (the newest, up to a cap). */
  scanned: number;
  counts: { enter: number; leave: number; stay: number };
  /** Not in the topic now, would be with these rules. */
  enter: PreviewEntry[];
  /** In the topic now, would not be. */
  leave: PreviewEntry[];
  /** In the topic now and with these rules. */
  stay: PreviewEntry[];
}

export const DEFAULT_PREVIEW_DAYS = 7;
const MAX_SCANNED = 20_000;
const MAX_LISTED = 200;

export async function previewTopic(ctx: AdminContext, slug: string, input: TopicPreviewInput): Promise<TopicPreview> {
  const topic = ctx.topics.current().bySlug.get(slug);
  if (!topic) throw unknownTopic(ctx, slug);
  const include = normalizePhrases(checkPhrases('include', input.include) ?? topic.include);
  const exclude = normalizePhrases(checkPhrases('exclude', input.exclude) ?? topic.exclude);
  return previewRules(ctx, slug, { include, exclude }, checkPreviewDays(input.days) ?? DEFAULT_PREVIEW_DAYS);
}

export function unknownTopic(ctx: Pick<AdminContext, 'topics'>, slug: string): AdminError {
  const slugs = [...ctx.topics.current().bySlug.keys()];
  return new AdminError('not_found', 'unknown_topic', `no topic "${slug.slice(0, 100)}" (topics: ${slugs.join(', ') || 'none'})`);
}

/** The same normalization as the config file's phrases: trimmed, lower-case. */
export function normalizePhrases(phrases: readonly string[]): string[] {
  return phrases.map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
}

/**
 * Which items of the last `days` the rules (already checked and normalized) would put in
 * the topic `slug` and take out of it, against the items' stored topics. The slug need not
 * be a topic yet (a topic being created).
 */
export async function previewRules(
  ctx: Pick<AdminContext, 'db' | 'now'>,
  slug: string,
  rules: { include: string[]; exclude: string[] },
  days: number,
  /** sources: false: as if no source declared the topic (a topic being deleted). */
  options: { sources?: boolean } = {},
): Promise<TopicPreview> {
  const { include, exclude } = rules;
  const compiled = compileTopics([{ slug, include, exclude }]);
  const items = await itemsPublishedSince(ctx.db, new Date(ctx.now().getTime() - days * 86_400_000), MAX_SCANNED);

  const preview: TopicPreview = {
    topic: slug,
    include,
    exclude,
    days,
    scanned: items.length,
    counts: { enter: 0, leave: 0, stay: 0 },
    enter: [],
    leave: [],
    stay: [],
  };
  for (const item of items) {
    const text = {
      title: item.title,
      summary: item.summary,
      categories: item.categories,
      author: item.author,
      contentText: item.content_html ? htmlToPlainText(item.content_html) : '',
      source: { title: item.source_title, url: item.source_url },
    };
    const { matches, exclusions } = explainTopics(text, options.sources === false ? [] : item.source_topics, compiled);
    const now = item.topics.includes(slug);
    const would = matches.length > 0;
    const list = now && would ? 'stay' : would ? 'enter' : now ? 'leave' : null;
    if (list === null) continue;
    preview.counts[list]++;
    if (preview[list].length < MAX_LISTED) {
      preview[list].push(entry(item, matches[0]?.matchedBy ?? null, exclusions[0]?.excludedBy ?? null));
    }
  }
  return preview;
}

function entry(item: PreviewableItem, matchedBy: string | null, excludedBy: string | null): PreviewEntry {
  return {
    id: item.id,
    title: item.title,
    url: item.url,
    publishedAt: item.published_at,
    source: { id: item.source_id, title: sourceName({ title: item.source_title, url: item.source_url }) },
    matchedBy,
    excludedBy,
  };
}
