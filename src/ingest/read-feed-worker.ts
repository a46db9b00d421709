/**
 * Worker-thread side of the read-feed pool: runs readFeed (decode → parse → normalize)
 * for the main thread, so parsing uses every core and never blocks the HTTP server.
 */
import { parentPort } from 'node:worker_threads';
import { FeedError } from '../errors.ts';
import { readFeed, type ReadOptions } from './read-feed.ts';

export interface ReadFeedTask {
  id: number;
  bytes: Uint8Array;
  contentType: string | null;
  feedUrl: string;
  options: ReadOptions;
}

export type ReadFeedReply =
  | { id: number; ok: true; result: Awaited<ReturnType<typeof readFeed>> }
  | { id: number; ok: false; error: { code: FeedError['code']; message: string; details: { alternates?: string[] } } };

parentPort?.on('message', async (task: ReadFeedTask) => {
  let reply: ReadFeedReply;
  try {
    reply = { id: task.id, ok: true, result: await readFeed(task.bytes, task.contentType, task.feedUrl, task.options) };
  } catch (error) {
    const failure = error instanceof FeedError ? error : new FeedError('internal_error', String(error));
    // A FeedError does not survive structured cloning as a class: send its fields.
    reply = { id: task.id, ok: false, error: { code: failure.code, message: failure.message, details: { alternates: failure.details.alternates } } };
  }
  parentPort!.postMessage(reply);
});
