/**
 * `tidings topics list|add|edit|remove`: the same use-cases as the admin API's topic routes
 * (src/admin/topics.ts), on the same database. A change is applied before the command
 * exits (the items re-classified, the documents re-rendered); a running service notices the
 * new topics within seconds and serves the documents this command rendered.
 */
import type { AdminApi, TopicChangeOutcome, TopicView } from '../admin/api.ts';
import type { FeedsConfig } from '../config/feeds-config.ts';
import { formatTable } from '../render/text-table.ts';
import { UsageError, type Io, type OpenAdmin } from './cli-io.ts';

export interface TopicOptions {
  json: boolean;
  title?: string | undefined;
  description?: string | undefined;
  include?: string[] | undefined;
  exclude?: string[] | undefined;
}

export async function topicsCommand(open: OpenAdmin, config: FeedsConfig, io: Io, command: string, args: string[], options: TopicOptions): Promise<number> {
  const [slug, ...extra] = args;
  if (command !== 'topics list' && slug === undefined) throw new UsageError(`${command} needs a SLUG`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (command === 'topics add' && options.title === undefined) throw new UsageError('topics add needs --title TEXT');
  // Listing only reads.
  const { ctx, api } = await open(config, { migrate: command !== 'topics list' });
  try {
    switch (command) {
      case 'topics list':
        return topicsList(io, await api.listTopics(), options.json);
      case 'topics add':
        return changed(io, 'Created', await api.createTopic({ slug: slug!, title: options.title!, ...rules(options) }), options.json);
      case 'topics edit':
        return changed(io, 'Changed', await api.changeTopic(slug!, editOf(options)), options.json);
      default:
        return changed(io, 'Removed', await api.removeTopic(slug!), options.json);
    }
  } finally {
    await ctx.close();
  }
}

function rules(options: TopicOptions) {
  return { description: options.description, include: options.include, exclude: options.exclude };
}

function editOf(options: TopicOptions): Parameters<AdminApi['changeTopic']>[1] {
  const changes = { title: options.title, ...rules(options) };
  if (Object.values(changes).every((value) => value === undefined)) {
    throw new UsageError('topics edit needs something to change: --title, --description, --include or --exclude');
  }
  return changes;
}

function topicsList(io: Io, topics: TopicView[], json: boolean): number {
  if (json) io.out(JSON.stringify(topics, null, 2));
  else if (topics.length === 0) io.out('No topics. Add one with `tidings topics add SLUG --title TEXT --include PHRASE`, or in feeds.config.json.');
  else
    io.out(
      formatTable(topics, [
        { header: 'SLUG', value: (t) => t.slug },
        { header: 'TITLE', value: (t) => t.title, maxWidth: 32 },
        { header: 'ORIGIN', value: (t) => t.origin },
        { header: 'INCLUDE', value: (t) => t.include.join(', ') || null, maxWidth: 60 },
        { header: 'EXCLUDE', value: (t) => t.exclude.join(', ') || null, maxWidth: 40 },
        { header: 'DIGEST', value: (t) => `${t.digest.period} ${t.digest.time} ${t.digest.timezone}` },
      ]),
    );
  return 0;
}

function changed(io: Io, verb: string, outcome: TopicChangeOutcome, json: boolean): number {
  if (json) {
    io.out(JSON.stringify(outcome, null, 2));
    return 0;
  }
  const { topic, items } = outcome;
  io.out(`${verb} topic ${topic.slug} (${topic.title}): ${items.enter} stored items entered it, ${items.leave} left (of the last ${items.days} days).`);
  if (outcome.note) io.out(`Note: ${outcome.note}.`);
  return 0;
}
