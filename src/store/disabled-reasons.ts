/** Why a source is not polled; shown to admins as its health (sources.disabled_reason). */
export const DISABLED_REASONS = {
  removedFromConfig: 'removed from feeds.config.json',
  gone: 'the server answered 410 Gone',
  paused: 'paused by an admin',
} as const;
