/** Words the admin API, page and CLI share: how a source is named, its state, and the notes about config sources and topics. */
import type { SourceState } from './source-view.ts';

/** What happens to an admin's change of a source from feeds.config.json (see manage-sources.ts). */
export const CONFIG_NOTES = {
  update:
    'this source comes from feeds.config.json: its topics and fullContent (and its title, when the file sets one) are reset from the file at the next start; edit the file to keep this change',
  delete:
    'this source is listed in feeds.config.json: it comes back, without its old items, at the next start unless you remove it from the file (pause it to keep it off)',
  topicUpdate: "this topic comes from feeds.config.json: the file's version returns at the next start; edit the file to keep this change",
  topicDelete: 'this topic is listed in feeds.config.json: it comes back at the next start unless you remove it from the file',
} as const;

/** The name to show: its title, else its host. */
export function sourceName(source: { title: string | null; url: string }): string {
  if (source.title) return source.title;
  try {
    return new URL(source.url).hostname;
  } catch {
    return source.url;
  }
}

/** A source's state in words (source-view.ts says what each one means). */
export const STATE_LABELS: Record<SourceState, string> = {
  ok: 'OK',
  stale: 'Stale (no new items for much longer than usual)',
  failing: 'Failing',
  flagged: 'Needs attention (repeated 404)',
  pending: 'Not polled yet',
  paused: 'Paused',
  disabled: 'Disabled',
  deleting: 'Being deleted',
};
