/**
 * All SQL of an admin's changes to sources: adding them (one by one or from OPML) and
 * changing one (title, topics, pause/resume, poll interval). Deleting is in
 * source-deletion.ts; the config file's sources are synced in config-sources.ts.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, Source } from '../db/schema.ts';
import { DISABLED_REASONS } from './disabled-reasons.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface NewAdminSource {
  url: string;
  title: string | null;
  topics: string[];
  /** Each new or changed item's page is fetched for its article (default false). */
  fullContent?: boolean | undefined;
}

/**
 * Inserts sources added by an admin (origin `admin`), due at once. URLs that already are
 * sources are skipped, atomically (ON CONFLICT), so two admins adding one URL at the
 * same moment get one source. Returns the rows inserted.
 */
export async function insertAdminSources(db: Executor, sources: NewAdminSource[], now: Date): Promise<Source[]> {
  const inserted: Source[] = [];
  for (let start = 0; start < sources.length; start += 500) {
    const rows = await db
      .insertInto('sources')
      .values(
        sources.slice(start, start + 500).map((s) => ({
          url: s.url,
          title: s.title,
          topics: s.topics,
          full_content: s.fullContent ?? false,
          origin: 'admin' as const,
          next_poll_at: now,
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict((oc) => oc.column('url').doNothing())
      .returningAll()
      .execute();
    inserted.push(...rows);
  }
  return inserted;
}

export interface SourcePatch {
  title?: string | null | undefined;
  topics?: string[] | undefined;
  /** false pauses (DISABLED_REASONS.paused); true resumes and makes the source due now. */
  enabled?: boolean | undefined;
  /** Seconds between polls (overrides the computed interval); null returns to the default. */
  pollIntervalSeconds?: number | null | undefined;
  /** Fetch each new or changed item's page for its article (src/ingest/full-content.ts). */
  fullContent?: boolean | undefined;
}

/** Applies an admin's changes to a source; undefined when there is no such source. */
export async function updateSource(db: Executor, id: number, patch: SourcePatch, now: Date): Promise<Source | undefined> {
  return db
    .updateTable('sources')
    .set(() => ({
      updated_at: now,
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.topics !== undefined ? { topics: patch.topics } : {}),
      ...(patch.enabled === false
        ? {
            enabled: false,
            // Keep a more telling reason (410 Gone, removed from the config) if already disabled.
            disabled_reason: sql<string | null>`case when sources.enabled then ${DISABLED_REASONS.paused} else sources.disabled_reason end`,
          }
        : {}),
      ...(patch.enabled === true
        ? // Resuming a merged source makes its URL its own again (it merges anew if it still redirects).
          {
            enabled: true,
            disabled_reason: null,
            merged_into_id: null,
            next_poll_at: sql<Date>`case when sources.enabled then sources.next_poll_at else ${now}::timestamptz end`,
          }
        : {}),
      ...(patch.pollIntervalSeconds !== undefined ? { poll_interval_seconds: patch.pollIntervalSeconds } : {}),
      ...(patch.fullContent !== undefined ? { full_content: patch.fullContent } : {}),
      // Turned on: the next poll reads the feed even if unchanged, to fetch its items' pages.
      ...(patch.fullContent === true
        ? {
            etag: sql<string | null>`case when sources.full_content then sources.etag end`,
            last_modified: sql<string | null>`case when sources.full_content then sources.last_modified end`,
          }
        : {}),
      // A shorter interval takes effect now rather than after the poll already scheduled.
      ...(patch.pollIntervalSeconds != null && patch.enabled !== true
        ? { next_poll_at: sql<Date>`least(sources.next_poll_at, ${new Date(now.getTime() + patch.pollIntervalSeconds * 1000)}::timestamptz)` }
        : {}),
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
