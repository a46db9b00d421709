/**
 * Story commands (issue #18): `tidings stories show|split|merge` and `tidings items
 * hide|unhide`, through the same admin use-cases as the API and the page
 * (src/admin/story-curation.ts), on the same database; logged as done by "cli".
 */
import type { CurationOutcome, StoryDetail } from '../admin/api.ts';
import { CURATION_ACTORS } from '../admin/story-curation.ts';
import type { FeedsConfig } from '../config/feeds-config.ts';
import { formatTable, relativeTime } from '../render/text-table.ts';
import { UsageError, type Io, type OpenAdmin } from './cli-io.ts';

export type StoryCommand = 'stories show' | 'stories split' | 'stories merge' | 'items hide' | 'items unhide';

function ids(args: readonly string[], what: string): number[] {
  return args.map((arg) => {
    if (!/^[1-9]\d{0,14}$/.test(arg)) throw new UsageError(`${what} is a positive whole number, not "${arg.slice(0, 50)}"`);
    return Number(arg);
  });
}

/** Checks the arguments before the database is opened, so a typo fails fast. */
function parse(command: StoryCommand, args: string[], item: string | undefined): { target: number[]; item?: number } {
  if (command === 'stories merge') {
    if (args.length < 2) throw new UsageError('stories merge needs two or more story ids');
    return { target: ids(args, 'a story id') };
  }
  const noun = command.startsWith('items') ? 'an item id' : 'a story id';
  if (args.length !== 1) throw new UsageError(args.length === 0 ? `${command} needs ${noun.replace(' id', ' ID')}` : `unexpected argument "${args[1]}"`);
  if (command === 'stories split' && item === undefined) throw new UsageError('stories split needs --item ITEM (the id of the item to split out)');
  if (command !== 'stories split' && item !== undefined) throw new UsageError(`${command} takes no --item`);
  return { target: ids(args, noun), ...(item === undefined ? {} : { item: ids([item], '--item')[0]! }) };
}

export async function storyCommand(
  open: OpenAdmin,
  config: FeedsConfig,
  io: Io,
  command: StoryCommand,
  args: string[],
  options: { json: boolean; item?: string | undefined },
): Promise<number> {
  const { target, item } = parse(command, args, options.item);
  const { ctx, api } = await open(config, { migrate: command !== 'stories show' });
  try {
    const { stories } = api;
    const actor = CURATION_ACTORS.cli;
    const now = ctx.now();
    if (command === 'stories show') {
      const story = await stories.get(target[0]!);
      io.out(options.json ? JSON.stringify(story, null, 2) : formatStory(story, now));
      return 0;
    }
    const outcome =
      command === 'stories split'
        ? await stories.split(target[0]!, item, actor)
        : command === 'stories merge'
          ? await stories.merge(target, actor)
          : await stories[command === 'items hide' ? 'hide' : 'unhide'](target[0]!, actor);
    io.out(options.json ? JSON.stringify(outcome, null, 2) : `${done(outcome, target, item)}\n\n${formatStory(outcome.story, now)}`);
    return 0;
  } finally {
    await ctx.close();
  }
}

function done(outcome: CurationOutcome, target: number[], item: number | undefined): string {
  const topics = outcome.topics.length > 0 ? ` Re-rendered: ${outcome.topics.join(', ')}.` : '';
  switch (outcome.action) {
    case 'split':
      return `Split item #${item} out of story #${target[0]} into story #${outcome.story.id}; it stays out of story #${target[0]}.${topics}`;
    case 'merge':
      return `Merged stories ${target.map((id) => `#${id}`).join(', ')} into story #${outcome.story.id}.${topics}`;
    case 'hide':
      return `Hid item #${target[0]} (story #${outcome.story.id}).${topics}`;
    case 'unhide':
      return `Unhid item #${target[0]} (story #${outcome.story.id}).${topics}`;
  }
}

export function formatStory(story: StoryDetail, now: Date): string {
  const hidden = story.items.filter((i) => i.hidden).length;
  const head = [
    `Story #${story.id}: ${story.title ?? '(untitled)'}`,
    story.url ?? '',
    `topics: ${story.topics.join(', ') || 'none'}; ${story.items.length} items (${hidden} hidden) from ${story.sourceCount} sources shown; published ${relativeTime(story.publishedAt, now)}; entry urn:uuid:${story.guid}`,
  ];
  const kept = story.splits.map(
    (s) => `kept apart: item #${s.itemId ?? '?'} (in story #${s.inStoryId ?? '-'}) stays out of story #${s.keptOutOf} since ${s.at.toISOString().slice(0, 16)}`,
  );
  const table = formatTable(story.items, [
    { header: 'ITEM', value: (i) => i.id },
    { header: 'SOURCE', value: (i) => i.sourceTitle, maxWidth: 24 },
    { header: 'PUBLISHED', value: (i) => relativeTime(i.publishedAt, now) },
    { header: 'STATE', value: (i) => (i.hidden ? `hidden by ${i.hiddenBy}` : i.representative ? 'shown, represents' : 'shown') },
    { header: 'WHY', value: (i) => i.reason?.summary ?? 'founded the story', maxWidth: 70 },
    { header: 'TITLE', value: (i) => i.title, maxWidth: 60 },
  ]);
  return [...head.filter(Boolean), ...kept, '', table].join('\n');
}
