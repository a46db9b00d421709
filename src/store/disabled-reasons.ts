/** Why a source is not polled; shown to admins as its health (sources.disabled_reason). */
export const DISABLED_REASONS = {
  removedFromConfig: 'removed from feeds.config.json',
  gone: 'the server answered 410 Gone',
  paused: 'paused by an admin',
  /** Being deleted, a batch of items at a time (source-deletion.ts). */
  deleting: 'being deleted',
  /** Its feed now lives at another source's URL (source-merge.ts). */
  mergedInto: (id: number, url: string) => `merged into source #${id} (${url}): its feed permanently redirects there`,
} as const;
