/**
 * Worker-thread side of the read-feed pool: runs readFeed (decode → parse → normalize)
 * for the main thread, so parsing uses every core and never blocks the HTTP server. It
 * extracts articles from fetched pages too (extract-article.ts), for the same reason.
 */
import { parentPort } from 'node:worker_threads';
import { FeedError } from '../errors.ts';
import type { ArticleResult, ArticleTask } from './extract-article.ts';
import { readFeed, type ReadOptions } from './read-feed.ts';

export interface ReadFeedTask {
  kind: 'feed';
  id: number;
  bytes: Uint8Array;
  contentType: string | null;
  feedUrl: string;
  options: ReadOptions;
}

export interface ExtractArticleTask extends ArticleTask {
  kind: 'article';
  id: number;
}

export type WorkerTask = ReadFeedTask | ExtractArticleTask;

export type ReadFeedReply =
  | { id: number; ok: true; result: Awaited<ReturnType<typeof readFeed>> | ArticleResult }
  | { id: number; ok: false; error: { code: FeedError['code']; message: string; details: { alternates?: string[] } } };

parentPort?.on('message', async (task: WorkerTask) => {
  let reply: ReadFeedReply;
  try {
    // The article extractor (linkedom, Readability) loads with the first page: a worker that
    // only reads feeds starts as fast as before.
    const result =
      task.kind === 'article'
        ? (await import('./extract-article.ts')).extractArticle(task)
        : await readFeed(task.bytes, task.contentType, task.feedUrl, task.options);
    reply = { id: task.id, ok: true, result };
  } catch (error) {
    const failure = error instanceof FeedError ? error : new FeedError('internal_error', String(error));
    // A FeedError does not survive structured cloning as a class: send its fields.
    reply = { id: task.id, ok: false, error: { code: failure.code, message: failure.message, details: { alternates: failure.details.alternates } } };
  }
  parentPort!.postMessage(reply);
});
