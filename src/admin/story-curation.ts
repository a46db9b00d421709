/**
 * An admin's curation of stories (issue #18): split an item out of its story, merge stories,
 * hide and unhide an item; and the reads behind them (story-view.ts). Each action is undone by
 * another (a merge undoes a split, a split undoes a merge, unhide undoes hide), is logged with
 * who did it (curation_log), lasts across polls (src/store/story-curation.ts says how), and
 * re-renders the topic documents it changed before it answers.
 */
import { setItemHidden, mergeStories, splitItem, type CurationDone, type CurationRefusal } from '../store/story-curation.ts';
import type { LoggedCuration } from '../store/curation-log.ts';
import type { AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { curationLog, getStory, listTopicStories, type StoryDetail, type TopicStories } from './story-view.ts';
import { checkMergeIds, checkRecordId } from './validate.ts';

/** Who acted, as the log names them: the page's session ("session <key prefix>", sessions.ts), or: */
export const CURATION_ACTORS = { apiToken: 'api token', cli: 'cli' } as const;

export interface CurationOutcome {
  action: 'split' | 'merge' | 'hide' | 'unhide';
  /** The curation log entry. */
  logId: number;
  /** The story the action leaves the item(s) in, as it is now. */
  story: StoryDetail;
  /** Topics whose documents were re-rendered. */
  topics: string[];
}

export interface StoryCuration {
  list(slug: string, query: { limit?: number; before?: number }): Promise<TopicStories>;
  get(id: number): Promise<StoryDetail>;
  split(storyId: number, itemId: unknown, actor: string): Promise<CurationOutcome>;
  merge(storyIds: readonly unknown[], actor: string): Promise<CurationOutcome>;
  hide(itemId: number, actor: string): Promise<CurationOutcome>;
  unhide(itemId: number, actor: string): Promise<CurationOutcome>;
  log(limit?: number): Promise<{ entries: LoggedCuration[] }>;
}

function refusal(result: CurationRefusal, ids: { storyId?: number; itemId?: number }): AdminError {
  switch (result.refused) {
    case 'unknown_story':
      return new AdminError('not_found', 'unknown_story', `no story ${result.storyIds.map((id) => `#${id}`).join(', ')}`);
    case 'unknown_item':
      return new AdminError('not_found', 'unknown_item', `no item #${ids.itemId}`);
    case 'not_in_story':
      return new AdminError('conflict', 'not_in_story', `item #${ids.itemId} is in story #${result.storyId}, not in story #${ids.storyId}`);
    case 'only_item':
      return new AdminError('conflict', 'only_item', `item #${ids.itemId} is the only item of story #${ids.storyId}: there is nothing to split it from`);
    case 'already_hidden':
      return new AdminError('conflict', 'already_hidden', `item #${ids.itemId} is hidden already`);
    case 'not_hidden':
      return new AdminError('conflict', 'not_hidden', `item #${ids.itemId} is not hidden`);
    case 'not_grouped':
      return new AdminError('conflict', 'not_grouped', `item #${ids.itemId} is not in a story yet (its poll is grouping it); try again in a moment`);
  }
}

async function finish(
  ctx: AdminContext,
  action: CurationOutcome['action'],
  result: CurationDone | CurationRefusal,
  ids: { storyId?: number; itemId?: number },
  actor: string,
): Promise<CurationOutcome> {
  if (result.refused !== undefined) throw refusal(result, ids);
  const topics = [...result.topics].sort();
  if (topics.length > 0) await ctx.actions.regenerate(topics);
  ctx.log.info({ action: `story.${action}`, actor, logId: result.logId, storyId: result.storyId, ...ids, topics }, `story curation: ${action}`);
  return { action, logId: result.logId, story: await getStory(ctx, result.storyId), topics };
}

export function storyCuration(ctx: AdminContext): StoryCuration {
  const who = (actor: string) => ({ actor, now: ctx.now() });
  const hidden = async (itemId: number, hide: boolean, actor: string) => {
    const id = checkRecordId(itemId, 'an item id');
    return finish(ctx, hide ? 'hide' : 'unhide', await setItemHidden(ctx.db, id, hide, who(actor)), { itemId: id }, actor);
  };
  return {
    list: (slug, query) => listTopicStories(ctx, slug, query),
    get: (id) => getStory(ctx, id),
    split: async (storyId, itemId, actor) => {
      const ids = { storyId: checkRecordId(storyId, 'a story id'), itemId: checkRecordId(itemId, 'itemId (an item id)') };
      return finish(ctx, 'split', await splitItem(ctx.db, ids.storyId, ids.itemId, who(actor)), ids, actor);
    },
    merge: async (storyIds, actor) => {
      const ids = checkMergeIds(storyIds);
      return finish(ctx, 'merge', await mergeStories(ctx.db, ids, who(actor)), {}, actor);
    },
    hide: (itemId, actor) => hidden(itemId, true, actor),
    unhide: (itemId, actor) => hidden(itemId, false, actor),
    log: (limit) => curationLog(ctx, limit),
  };
}
