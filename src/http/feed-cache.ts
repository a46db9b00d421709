/**
 * The documents this instance serves, held in memory: loaded from rendered_feeds at
 * start, refreshed from it every few seconds (documents other instances rendered) and
 * immediately on local regeneration. Requests never touch the database, so serving is
 * fast and keeps working through a database outage.
 */
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { FeedFormat, FeedKind, RenderedFeed } from '../db/schema.ts';

export interface CachedDocument {
  topic: string;
  kind: FeedKind;
  format: FeedFormat;
  body: Buffer;
  etag: string;
  lastModified: Date;
  /** Compressed variants, made on first demand. */
  gzip?: Buffer;
  br?: Buffer;
}

export type Encoding = 'br' | 'gzip' | 'identity';

// Brotli quality 9 is ~10x cheaper than 11 for a few % size; documents are compressed once per change.
const BROTLI_OPTIONS = { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9 } };

export function compressed(doc: CachedDocument, encoding: Exclude<Encoding, 'identity'>): Buffer {
  if (encoding === 'gzip') return (doc.gzip ??= gzipSync(doc.body, { level: 6 }));
  return (doc.br ??= brotliCompressSync(doc.body, BROTLI_OPTIONS));
}

export interface FeedCache {
  get(topic: string, kind: FeedKind, format: FeedFormat): CachedDocument | undefined;
  put(row: Pick<RenderedFeed, 'topic' | 'kind' | 'format' | 'body' | 'etag' | 'updated_at'>): void;
  /** Loads documents changed since the last sync; returns how many. */
  sync(): Promise<number>;
  /** Periodic sync; stop() ends it. */
  start(intervalMs: number, onError: (error: unknown) => void): void;
  stop(): void;
}

const SYNC_OVERLAP_MS = 60_000;

/**
 * Documents by kind, format and topic: nested maps, so a look-up (one per feed request)
 * builds no key string.
 */
class DocumentMap {
  private readonly byKind: Record<FeedKind, Record<FeedFormat, Map<string, CachedDocument>>> = {
    feed: { rss: new Map(), atom: new Map(), json: new Map() },
    digest: { rss: new Map(), atom: new Map(), json: new Map() },
  };

  get(topic: string, kind: FeedKind, format: FeedFormat): CachedDocument | undefined {
    return this.byKind[kind][format].get(topic);
  }

  set(doc: CachedDocument): void {
    this.byKind[doc.kind][doc.format].set(doc.topic, doc);
  }
}

export function createFeedCache(loadSince: (since: Date | null) => Promise<RenderedFeed[]>): FeedCache {
  const docs = new DocumentMap();
  let syncedUpTo: Date | null = null;
  let timer: NodeJS.Timeout | null = null;

  const put: FeedCache['put'] = (row) => {
    const current = docs.get(row.topic, row.kind, row.format);
    if (current?.etag === row.etag) return;
    docs.set({
      topic: row.topic,
      kind: row.kind,
      format: row.format,
      body: Buffer.from(row.body, 'utf8'),
      etag: row.etag,
      // HTTP dates have whole seconds (RFC 9110 §5.6.7); round so If-Modified-Since compares equal.
      lastModified: new Date(Math.floor(row.updated_at.getTime() / 1000) * 1000),
    });
  };

  const sync = async () => {
    // Look back a minute: another instance's transaction may commit after ours with an
    // earlier timestamp. Re-reading a document is cheap; put() skips unchanged ETags.
    const rows = await loadSince(syncedUpTo && new Date(syncedUpTo.getTime() - SYNC_OVERLAP_MS));
    for (const row of rows) {
      put(row);
      if (syncedUpTo === null || row.updated_at > syncedUpTo) syncedUpTo = row.updated_at;
    }
    return rows.length;
  };

  return {
    get: (topic, kind, format) => docs.get(topic, kind, format),
    put,
    sync,
    start(intervalMs, onError) {
      timer ??= setInterval(() => void sync().catch(onError), intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
