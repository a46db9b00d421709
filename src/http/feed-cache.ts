/**
 * The documents this instance serves, held in memory: loaded from rendered_feeds at
 * start, refreshed from it every few seconds (documents other processes rendered) and
 * immediately on local regeneration. Requests never touch the database, so serving is
 * fast and keeps working through a database outage.
 *
 * What it guarantees: the cache holds, for each document (topic, kind), the three formats
 * of ONE generation (src/store/rendered-feeds.ts). A generation is written in one
 * transaction, read in one statement and swapped in as one object, so no reader ever gets
 * formats of two generations at once. A sync reads only the generation numbers, and loads
 * the documents whose number differs from the one held: a change any process commits is
 * served after this instance's next sync (every 5 s), whatever the writer's clock said,
 * and at once by the instance that made it (put). Generations are compared, never ordered
 * by time: a sync that finds an older number than held (the database restored from a
 * backup) swaps that document back too.
 */
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { FeedFormat, FeedKind } from '../db/schema.ts';
import type { DocumentGeneration, DocumentKey, StoredFormat } from '../store/rendered-feeds.ts';

export interface CachedDocument {
  topic: string;
  kind: FeedKind;
  format: FeedFormat;
  /** Of the document this was rendered for (a `?limit=` variant: of its default document). */
  generation: number;
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
  if (encoding === 'gzip') {
    doc.gzip ??= gzipSync(doc.body, { level: 6 });
    return doc.gzip;
  }
  doc.br ??= brotliCompressSync(doc.body, BROTLI_OPTIONS);
  return doc.br;
}

/** Where a sync reads from: the generation of every stored document, and whole generations. */
export interface GenerationSource {
  generations(): Promise<Array<DocumentKey & { generation: number }>>;
  documents(keys: readonly DocumentKey[]): Promise<DocumentGeneration[]>;
}

export interface FeedCache {
  get(topic: string, kind: FeedKind, format: FeedFormat): CachedDocument | undefined;
  /** Swaps in a new generation saved by this process, unless a later one is held. */
  put(doc: DocumentGeneration): void;
  /** Loads the documents whose generation changed; returns how many it swapped in. */
  sync(): Promise<number>;
  /** Periodic sync; stop() ends it. */
  start(intervalMs: number, onError: (error: unknown) => void): void;
  stop(): void;
}

type Formats = Readonly<Record<FeedFormat, CachedDocument>>;

interface Held {
  formats: Formats;
  generation: number;
  /** The swap count when it was swapped in (see sync). */
  swap: number;
}

/**
 * Documents by kind and topic, each the three formats of one generation: nested maps, so a
 * look-up (one per feed request) builds no key string.
 */
class DocumentMap {
  private readonly byKind: Record<FeedKind, Map<string, Held>> = { feed: new Map(), digest: new Map() };

  get(topic: string, kind: FeedKind): Held | undefined {
    return this.byKind[kind].get(topic);
  }

  set(topic: string, kind: FeedKind, held: Held): void {
    this.byKind[kind].set(topic, held);
  }

  delete(topic: string, kind: FeedKind): void {
    this.byKind[kind].delete(topic);
  }

  *keys(): Generator<{ topic: string; kind: FeedKind; held: Held }> {
    for (const kind of ['feed', 'digest'] as const) for (const [topic, held] of this.byKind[kind]) yield { topic, kind, held };
  }
}

function cachedFormat(doc: DocumentGeneration, format: FeedFormat, stored: StoredFormat, before: CachedDocument | undefined): CachedDocument {
  // Same bytes as held: keep the buffers and compressed copies already made.
  const same = before?.etag === stored.etag ? before : undefined;
  return {
    topic: doc.topic,
    kind: doc.kind,
    format,
    generation: doc.generation,
    body: same?.body ?? Buffer.from(stored.body, 'utf8'),
    etag: stored.etag,
    // HTTP dates have whole seconds (RFC 9110 §5.6.7); round so If-Modified-Since compares equal.
    lastModified: new Date(Math.floor(stored.updated_at.getTime() / 1000) * 1000),
    ...(same?.gzip && { gzip: same.gzip }),
    ...(same?.br && { br: same.br }),
  };
}

export function createFeedCache(source: GenerationSource): FeedCache {
  const docs = new DocumentMap();
  let swaps = 0;
  let timer: NodeJS.Timeout | null = null;
  let ticking = false;

  const swapIn = (doc: DocumentGeneration, held: Held | undefined) => {
    const formats: Formats = {
      rss: cachedFormat(doc, 'rss', doc.formats.rss, held?.formats.rss),
      atom: cachedFormat(doc, 'atom', doc.formats.atom, held?.formats.atom),
      json: cachedFormat(doc, 'json', doc.formats.json, held?.formats.json),
    };
    docs.set(doc.topic, doc.kind, { formats, generation: doc.generation, swap: ++swaps });
  };

  const put: FeedCache['put'] = (doc) => {
    const held = docs.get(doc.topic, doc.kind);
    // A sync may already have loaded a generation another process committed after this one.
    if (held !== undefined && held.generation >= doc.generation) return;
    swapIn(doc, held);
  };

  const sync = async () => {
    // What the database says may be older than a document swapped in while this sync
    // waited on it (a local put, or an overlapping sync): those are left alone.
    const startedAt = swaps;
    const current = await source.generations();
    // A document no longer stored (its topic was deleted) is dropped, unless swapped in meanwhile.
    const stored = new Set(current.map((doc) => `${doc.kind}\n${doc.topic}`));
    for (const { topic, kind, held } of [...docs.keys()]) if (!stored.has(`${kind}\n${topic}`) && held.swap <= startedAt) docs.delete(topic, kind);
    const changed = current.filter((doc) => docs.get(doc.topic, doc.kind)?.generation !== doc.generation);
    if (changed.length === 0) return 0;
    let swapped = 0;
    for (const doc of await source.documents(changed)) {
      const held = docs.get(doc.topic, doc.kind);
      if (held !== undefined && (held.swap > startedAt || held.generation === doc.generation)) continue;
      swapIn(doc, held);
      swapped++;
    }
    return swapped;
  };

  return {
    get: (topic, kind, format) => docs.get(topic, kind)?.formats[format],
    put,
    sync,
    start(intervalMs, onError) {
      // A tick while the previous sync still waits on a slow database is skipped, not queued.
      const tick = () => {
        if (ticking) return;
        ticking = true;
        sync()
          .catch(onError)
          .finally(() => (ticking = false));
      };
      timer ??= setInterval(tick, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
