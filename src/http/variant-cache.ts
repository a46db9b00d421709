/**
 * Documents rendered on demand for a non-default `?limit=`, kept by the bytes they hold
 * (body and the compressed copies made for it), least recently used evicted first. A
 * bound by count let a few dozen distinct limits of large topics hold gigabytes.
 */
import type { CachedDocument } from './feed-cache.ts';

/**
 * Memory for variants, whatever the number of distinct limits asked for. A long variant of
 * a topic with full articles is several MB a format (the 64-entry cache this replaces
 * reached 1.5 GB after 78 distinct limits: some 20 MB a variant with its compressed copies); 16 MB keeps
 * the few variants readers actually poll, or hundreds of short ones. A variant larger than
 * the whole bound is answered but not kept.
 */
export const VARIANT_CACHE_BYTES = 16 * 1024 * 1024;

export interface Variant {
  doc: CachedDocument;
  /** Date.now() after which it is rendered again; Infinity when only a new generation retires it. */
  expires: number;
}

export interface VariantCache {
  /** The variant under `key`, now the most recently used. */
  get(key: string): Variant | undefined;
  set(key: string, variant: Variant): void;
  delete(key: string): void;
  /** Counts the compressed copies made since it was stored (call after answering from it). */
  remeasure(key: string): void;
  /** Bytes held. */
  readonly bytes: number;
  readonly size: number;
}

const sizeOf = (doc: CachedDocument) => doc.body.length + (doc.gzip?.length ?? 0) + (doc.br?.length ?? 0);

export function createVariantCache(maxBytes = VARIANT_CACHE_BYTES): VariantCache {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  const entries = new Map<string, { variant: Variant; bytes: number }>();
  let bytes = 0;

  const remove = (key: string) => {
    const entry = entries.get(key);
    if (entry === undefined) return;
    entries.delete(key);
    bytes -= entry.bytes;
  };
  const evict = () => {
    for (const key of entries.keys()) {
      if (bytes <= maxBytes) return;
      remove(key);
    }
  };

  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      entries.delete(key);
      entries.set(key, entry);
      return entry.variant;
    },
    set(key, variant) {
      remove(key);
      const size = sizeOf(variant.doc);
      entries.set(key, { variant, bytes: size });
      bytes += size;
      evict();
    },
    delete: remove,
    remeasure(key) {
      const entry = entries.get(key);
      if (entry === undefined) return;
      const size = sizeOf(entry.variant.doc);
      bytes += size - entry.bytes;
      entry.bytes = size;
      evict();
    },
    get bytes() {
      return bytes;
    },
    get size() {
      return entries.size;
    },
  };
}
