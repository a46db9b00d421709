/**
 * A pool of worker threads running readFeed. Parsing is the ingest bottleneck (~100 ms of
 * blocked event loop per MB, docs/architecture.md): the pool spreads it over the cores and
 * keeps the main thread free for HTTP. Each worker has a heap cap, so a hostile document
 * that explodes in memory kills its worker (and fails that one source), not the service;
 * a document still parsing after `taskTimeoutMs` gets the same treatment.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { FeedError } from '../errors.ts';
import type { ArticleResult, ArticleTask } from './extract-article.ts';
import type { ReadFeedResult, ReadOptions } from './read-feed.ts';
import type { ReadFeedReply, WorkerTask } from './read-feed-worker.ts';

export interface ReadFeedPoolOptions {
  /** Worker count; default: one fewer than the cores (at least one). */
  size?: number;
  /** Heap cap per worker, in MB. */
  maxHeapMb?: number;
  /** A document still being read after this long is abandoned (its worker replaced). */
  taskTimeoutMs?: number;
  /**
   * A worker idle this long is stopped, and started again for the next document: between
   * poll cycles (minutes) the service holds no parser heap (tens of MB a worker).
   */
  idleMs?: number;
}

export interface ReadFeedPool {
  readFeed(bytes: Uint8Array, contentType: string | null, feedUrl: string, options?: ReadOptions): Promise<ReadFeedResult>;
  /** The article of a fetched page (extract-article.ts), in the same workers: it is parsing too. */
  extractArticle(task: ArticleTask): Promise<ArticleResult>;
  /** Workers running now (idle ones stop after idleMs). */
  running(): number;
  close(): Promise<void>;
}

interface Pending {
  task: WorkerTask;
  /** A method, so its parameter is bivariant: the result's type follows the task's kind. */
  resolve(result: unknown): void;
  reject: (error: unknown) => void;
}

interface Slot {
  /** Started on demand, stopped when idle (idleMs). */
  worker: Worker | null;
  busy: Pending | null;
  timer: NodeJS.Timeout | null;
  idleTimer: NodeJS.Timeout | null;
}

// Compiled (dist/, see bin/entry.mjs): the worker's own module. From the TypeScript sources:
// a JavaScript entry that registers tsx, then loads read-feed-worker.ts.
const WORKER_URL = import.meta.url.endsWith('.js') ? new URL('./read-feed-worker.js', import.meta.url) : new URL('./read-feed-worker.mjs', import.meta.url);

export function createReadFeedPool(options: ReadFeedPoolOptions = {}): ReadFeedPool {
  // The main thread is busy too (fetching, classifying, storing, grouping; PGlite runs on
  // it) and so is the database: a worker per core only oversubscribes them. On 2 cores a
  // cold cycle of 1,000 feeds took as long with one worker as with two, and its peak RSS
  // was ~45–90 MB lower (bench, README § Benchmark).
  const size = Math.max(1, options.size ?? availableParallelism() - 1);
  const maxHeapMb = options.maxHeapMb ?? 256;
  const taskTimeoutMs = options.taskTimeoutMs ?? 30_000;
  const idleMs = options.idleMs ?? 30_000;
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;

  const start = (slot: Slot): Worker => {
    const worker = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
    slot.worker = worker;
    worker.on('message', (reply: ReadFeedReply) => finish(slot, reply));
    worker.on('error', (error: Error & { code?: string }) =>
      fail(
        slot,
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new FeedError('too_large', `the document needs more memory to read than the parser's limit (${maxHeapMb} MB)`)
          : new FeedError('internal_error', `the parser worker failed: ${error.message}`),
      ),
    );
    worker.on('exit', () => {
      if (closed) return;
      fail(slot, new FeedError('internal_error', 'the parser worker stopped unexpectedly'));
    });
    worker.unref();
    return worker;
  };

  const stop = (slot: Slot) => {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    const worker = slot.worker;
    slot.worker = null;
    worker?.removeAllListeners();
    void worker?.terminate();
  };

  /** A failed or abandoned worker goes; the next document starts a fresh one. */
  const replace = (slot: Slot) => {
    stop(slot);
    dispatch();
  };

  const idleLater = (slot: Slot) => {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      if (slot.busy === null) stop(slot);
    }, idleMs);
    slot.idleTimer.unref();
  };

  const fail = (slot: Slot, error: FeedError) => {
    const pending = slot.busy;
    if (slot.timer) clearTimeout(slot.timer);
    slot.busy = null;
    pending?.reject(error);
    replace(slot);
  };

  const finish = (slot: Slot, reply: ReadFeedReply) => {
    const pending = slot.busy;
    if (!pending || pending.task.id !== reply.id) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.busy = null;
    slot.timer = null;
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(new FeedError(reply.error.code, reply.error.message, reply.error.details));
    dispatch();
    if (slot.busy === null) idleLater(slot);
  };

  const dispatch = () => {
    for (const slot of slots) {
      if (slot.busy || queue.length === 0) continue;
      const pending = queue.shift()!;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
      const worker = slot.worker ?? start(slot);
      slot.busy = pending;
      slot.timer = setTimeout(() => fail(slot, new FeedError('timeout', `reading the document took longer than ${taskTimeoutMs / 1000} s`)), taskTimeoutMs);
      // Transfer a copy of the bytes (no second copy inside the worker), so the caller's
      // buffer stays intact: Buffer#slice would be a view, and transferring its ArrayBuffer
      // would empty the caller's body (add-source.ts sniffs it again after a failed read).
      const bytes = Uint8Array.prototype.slice.call(pending.task.bytes);
      worker.postMessage({ ...pending.task, bytes }, [bytes.buffer]);
    }
  };

  for (let i = 0; i < size; i++) slots.push({ worker: null, busy: null, timer: null, idleTimer: null });

  const run = <T>(task: WorkerTask): Promise<T> => {
    if (closed) return Promise.reject(new Error('the read-feed pool is closed'));
    return new Promise<T>((resolve, reject) => {
      queue.push({ task, resolve, reject });
      dispatch();
    });
  };

  return {
    readFeed: (bytes, contentType, feedUrl, options = {}) => run({ kind: 'feed', id: nextId++, bytes, contentType, feedUrl, options }),
    extractArticle: (task) => run({ ...task, kind: 'article', id: nextId++ }),
    running: () => slots.filter((slot) => slot.worker !== null).length,
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new Error('the read-feed pool is closed'));
      await Promise.all(
        slots.map((slot) => {
          if (slot.idleTimer) clearTimeout(slot.idleTimer);
          return slot.worker?.terminate();
        }),
      );
    },
  };
}
