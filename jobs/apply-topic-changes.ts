/**
 * What follows an admin's change to the topics (src/admin/topics.ts), after it is stored:
 * the retention window's items re-classified when the rules changed (reclassify-items.ts,
 * which re-renders the feeds whose stories moved), then the changed topics' documents
 * re-rendered (a new title or description shows at once). Under `serve` it runs in the
 * background, so the answer does not wait for a pass over every stored item; changes made
 * while one runs are gathered into one more run after it, so passes never overlap and the
 * last one always sees the latest rules. Other instances only need to notice the new topics
 * (src/topic-registry.ts): the documents are shared.
 */
import { reclassifyUnderCurrentRules, type ReclassifyContext } from './reclassify-items.ts';
import { regenerateFeeds } from './regenerate-feeds.ts';

export interface TopicChange {
  /** Topics whose documents to re-render (a deleted one is skipped). */
  slugs: readonly string[];
  /** The rules changed: re-classify the stored items. */
  reclassify: boolean;
}

export interface TopicChangeApplier {
  /** Queues the work of a change; resolves when it is done (never rejects: a failure is logged). */
  apply(change: TopicChange): Promise<void>;
  /** Resolves once nothing is queued or running. */
  idle(): Promise<void>;
}

export function topicChangeApplier(ctx: ReclassifyContext): TopicChangeApplier {
  let pending: { slugs: Set<string>; reclassify: boolean } | null = null;
  let running: Promise<void> = Promise.resolve();

  const run = async (work: { slugs: Set<string>; reclassify: boolean }) => {
    try {
      if (work.reclassify) await reclassifyUnderCurrentRules(ctx);
      if (work.slugs.size > 0) await regenerateFeeds(ctx, { topics: work.slugs });
    } catch (error) {
      ctx.log.error({ err: error, topics: [...work.slugs] }, 'applying a topic change failed; the next change or restart applies it');
    }
  };

  return {
    apply(change) {
      if (pending === null) {
        const work = { slugs: new Set(change.slugs), reclassify: change.reclassify };
        pending = work;
        // Taken when its turn comes: changes queued until then join it.
        running = running.then(() => {
          pending = null;
          return run(work);
        });
      } else {
        for (const slug of change.slugs) pending.slugs.add(slug);
        pending.reclassify ||= change.reclassify;
      }
      return running;
    },
    idle: async () => {
      // Work queued while waiting is waited for too.
      for (let seen: Promise<void> | null = null; seen !== running; ) {
        seen = running;
        await running;
      }
    },
  };
}
