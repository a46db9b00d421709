/**
 * Listing, creating, changing and deleting topics, for the API, the admin page and the CLI
 * alike. A change is stored, this process's topics reloaded (other instances notice within
 * seconds, src/topic-registry.ts), and then applied: the retention window's items
 * re-classified when the rules changed and the topic's documents re-rendered
 * (jobs/apply-topic-changes.ts; in the background under `serve`). The answer says how many
 * stored items enter and leave the topic, worked out by the preview (topic-preview.ts)
 * before the change.
 *
 * Topics are held to the config file's rules (its zod schema, src/config/feeds-config.ts)
 * and to the admin input rules (validate.ts). Config topics may be changed and deleted like
 * any other, but the file wins at the next start; the answers say so.
 */
import { topicSchema } from '../config/feeds-config.ts';
import type { TopicDigestSettings } from '../db/schema.ts';
import { deleteTopic, insertAdminTopic, listStoredTopics, topicsVersion, updateTopic, type TopicFields } from '../store/topics.ts';
import type { AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { normalizePhrases, previewRules, unknownTopic, type TopicPreview } from './topic-preview.ts';
import { checkPhrases, checkText, LIMITS } from './validate.ts';
import { CONFIG_NOTES } from './wording.ts';

export interface TopicView extends TopicFields {
  origin: 'config' | 'admin';
  /** Null for a config topic not stored yet (no topic was ever written; the file's stand). */
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface TopicInput {
  slug: string;
  title: string;
  description?: string | undefined;
  include?: readonly string[] | undefined;
  exclude?: readonly string[] | undefined;
  /** Any of the digest settings; the others keep their value (or the default). */
  digest?: Partial<TopicDigestSettings> | undefined;
}

export type TopicChanges = Partial<Omit<TopicInput, 'slug'>>;

export interface TopicChangeOutcome {
  topic: TopicView;
  /** Stored items of the last `days` (the newest `scanned`) that enter and leave the topic with this change. */
  items: { enter: number; leave: number; scanned: number; days: number };
  /** For a config topic: the file's version returns at the next start. */
  note?: string;
}

export async function listTopics(ctx: AdminContext): Promise<TopicView[]> {
  if ((await topicsVersion(ctx.db)) === null) {
    return ctx.topics.configTopics.map((t) => ({ ...t, origin: 'config' as const, createdAt: null, updatedAt: null }));
  }
  return listStoredTopics(ctx.db);
}

async function requireTopic(ctx: AdminContext, slug: string): Promise<TopicView> {
  const topic = (await listTopics(ctx)).find((t) => t.slug === slug);
  if (!topic) throw unknownTopic(ctx, slug);
  return topic;
}

/**
 * The topic these fields make, checked as the config file's topics are (its schema: slug
 * pattern, digest settings…) and as admin input is (characters, lengths, rules), or a 400
 * naming the field.
 */
export function checkTopic(input: TopicInput): TopicFields {
  const title = checkText(input.title, 'title', 'invalid_topic', LIMITS.titleLength, 'a title is one line of plain text');
  const description = checkText(input.description ?? '', 'description', 'invalid_topic', LIMITS.descriptionLength, 'a description is plain text');
  const include = normalizePhrases(checkPhrases('include', input.include) ?? []);
  const exclude = normalizePhrases(checkPhrases('exclude', input.exclude) ?? []);
  const parsed = topicSchema.safeParse({ slug: input.slug, title, description, include, exclude, digest: input.digest ?? {} });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'topic';
    const shown = field === 'slug' && typeof input.slug === 'string' ? ` "${input.slug.slice(0, 100)}"` : '';
    throw new AdminError('invalid', 'invalid_topic', `${field}${shown}: ${issue.message}`);
  }
  return parsed.data;
}

const sameRules = (a: Pick<TopicFields, 'include' | 'exclude'>, b: Pick<TopicFields, 'include' | 'exclude'>) =>
  JSON.stringify([a.include, a.exclude]) === JSON.stringify([b.include, b.exclude]);

/** How far back a change is counted: the retention window (re-classified), within what a preview may scan. */
const countedDays = (ctx: AdminContext) => Math.min(ctx.retentionDays, LIMITS.previewDays.max);

/** What the rules would change in the stored items, without changing anything (the page's Preview). */
export async function previewTopicRules(ctx: AdminContext, topic: TopicFields): Promise<TopicPreview> {
  return previewRules(ctx, topic.slug, topic, countedDays(ctx));
}

function counts(preview: TopicPreview): TopicChangeOutcome['items'] {
  return { enter: preview.counts.enter, leave: preview.counts.leave, scanned: preview.scanned, days: preview.days };
}

const NOTHING_MOVES = (ctx: AdminContext) => ({ enter: 0, leave: 0, scanned: 0, days: countedDays(ctx) });

/** Stores the change's work: here before the answer (the CLI), or in the background (serve). */
async function apply(ctx: AdminContext, slug: string, reclassify: boolean): Promise<void> {
  await ctx.topics.reload();
  const work = ctx.actions.applyTopicChange({ slugs: [slug], reclassify });
  if (!ctx.actions.topicChangesInBackground) await work;
}

export async function createTopic(ctx: AdminContext, input: TopicInput): Promise<TopicChangeOutcome> {
  const topic = checkTopic(input);
  const preview = topic.include.length > 0 ? counts(await previewTopicRules(ctx, topic)) : NOTHING_MOVES(ctx);
  if (!(await insertAdminTopic(ctx.db, topic, ctx.now(), ctx.topics.configTopics))) {
    throw new AdminError('conflict', 'topic_exists', `there is already a topic "${topic.slug}"; change it with PATCH, or choose another slug`);
  }
  ctx.log.info({ action: 'topic.create', topic: topic.slug, include: topic.include, exclude: topic.exclude }, 'admin created a topic');
  await apply(ctx, topic.slug, topic.include.length > 0);
  return { topic: await requireTopic(ctx, topic.slug), items: preview };
}

export async function changeTopic(ctx: AdminContext, slug: string, changes: TopicChanges): Promise<TopicChangeOutcome> {
  const before = await requireTopic(ctx, slug);
  const topic = checkTopic({
    slug,
    title: changes.title ?? before.title,
    description: changes.description ?? before.description,
    include: changes.include ?? before.include,
    exclude: changes.exclude ?? before.exclude,
    digest: { ...before.digest, ...changes.digest },
  });
  const rulesChanged = !sameRules(topic, before);
  const preview = rulesChanged ? counts(await previewTopicRules(ctx, topic)) : NOTHING_MOVES(ctx);
  if (!(await updateTopic(ctx.db, topic, ctx.now(), ctx.topics.configTopics))) throw unknownTopic(ctx, slug);
  ctx.log.info({ action: 'topic.change', topic: slug, rulesChanged }, 'admin changed a topic');
  await apply(ctx, slug, rulesChanged);
  const outcome: TopicChangeOutcome = { topic: await requireTopic(ctx, slug), items: preview };
  return before.origin === 'config' ? { ...outcome, note: CONFIG_NOTES.topicUpdate } : outcome;
}

/** Deletes the topic: its feeds, pages, archives and digests answer 404 from now on. */
export async function removeTopic(ctx: AdminContext, slug: string): Promise<TopicChangeOutcome> {
  const topic = await requireTopic(ctx, slug);
  // Everything in the topic now leaves it, also what its sources put there.
  const preview = await previewRules(ctx, slug, { include: [], exclude: [] }, countedDays(ctx), { sources: false });
  if (!(await deleteTopic(ctx.db, slug, ctx.now(), ctx.topics.configTopics))) throw unknownTopic(ctx, slug);
  ctx.log.info({ action: 'topic.delete', topic: slug }, 'admin deleted a topic');
  await ctx.topics.reload();
  const outcome: TopicChangeOutcome = { topic, items: counts(preview) };
  return topic.origin === 'config' ? { ...outcome, note: CONFIG_NOTES.topicDelete } : outcome;
}
