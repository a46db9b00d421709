/**
 * Text as Postgres can store it, and the marks that say an item is stored already. Pure,
 * so the parser's worker threads and the store compute the same values.
 */
import { createHash } from 'node:crypto';

// A btree index entry must fit in ~2.7 kB; a hostile feed's 10 kB guid must not fail the poll.
const MAX_KEY_LENGTH = 512;

/**
 * Postgres text cannot hold NUL, and its JSON input rejects a lone UTF-16 surrogate (which a
 * feed can smuggle in as a character reference): either would fail the poll's transaction.
 * NUL goes; a lone surrogate becomes U+FFFD, as UTF-8 encoding would make it.
 */
export function pgText(value: string): string;
export function pgText(value: string | null): string | null;
export function pgText(value: string | null): string | null {
  if (value === null) return null;
  const wellFormed = value.isWellFormed() ? value : value.toWellFormed();
  return wellFormed.includes('\u0000') ? wellFormed.replaceAll('\u0000', '') : wellFormed;
}

/** An item's key as stored (items.item_key): over-long keys become their SHA-256. */
export function storageKey(key: string): string {
  return key.length <= MAX_KEY_LENGTH ? pgText(key) : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** One stored item with one content: its stored key and content hash, in one string for a Set. */
export function storedItemMark(storedKey: string, contentHash: string): string {
  return `${storedKey}\u0000${contentHash}`;
}
