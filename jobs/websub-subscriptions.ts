/**
 * WebSub, the subscriber side (src/ingest/push-subscriptions.ts, push-content.ts): the job
 * that sends the hub requests due (subscribe, renew before the lease ends, unsubscribe once
 * a source is paused or removed, retries with backoff), safe with several instances on one
 * database (claimed rows); and the callback's answers for the HTTP server, with the
 * re-rendering of the topics a push changed.
 */
import type { AppContext } from '../src/app-context.ts';
import { answerVerification, receivePush, tooLargePush, type WebSubCallbacks } from '../src/ingest/push-content.ts';
import { sendDueHubRequests, type HubRequestsDone } from '../src/ingest/push-subscriptions.ts';
import { regenerateFeeds } from './regenerate-feeds.ts';

export type WebSubContext = Pick<AppContext, 'db' | 'oneShotRequests' | 'publicUrl' | 'config' | 'metrics' | 'log' | 'owner' | 'now'>;

export async function renewWebSubSubscriptions(ctx: WebSubContext, options: { signal?: AbortSignal | undefined } = {}): Promise<HubRequestsDone> {
  const log = ctx.log.child({ component: 'websub' });
  const done = await sendDueHubRequests({ ...ctx, log }, options.signal);
  if (done.retired + done.sent + done.failed > 0) log.info(done, 'websub: hub requests sent');
  return done;
}

/**
 * The callback's answers. A push is answered once its items are stored, grouped into stories
 * and the topics they changed re-rendered: a hub's 2xx then means readers can see them, and a
 * reader fetching the formats one after another gets one generation, not a render racing in
 * the background (the simulated week checks both).
 */
export function webSubCallbacks(ctx: AppContext): WebSubCallbacks {
  const log = ctx.log.child({ component: 'websub' });
  const pushCtx = { ...ctx, log };
  return {
    verify: (callbackId, request) => answerVerification(pushCtx, callbackId, request),
    async push(callbackId, content) {
      const answer = await receivePush(pushCtx, callbackId, content);
      try {
        const topics = await answer.grouped;
        if (topics.length > 0) await regenerateFeeds(ctx, { topics, kinds: ['feed'] });
      } catch (error) {
        log.error({ err: error }, 'websub: re-rendering after a push failed; the next poll re-renders');
      }
      return answer;
    },
    tooLarge: () => tooLargePush(ctx),
    maxBytes: ctx.config.polling.maxBytes,
  };
}
