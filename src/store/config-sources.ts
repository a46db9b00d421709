/** All SQL of the start-up sync of feeds.config.json's sources into the sources table. */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DISABLED_REASONS } from './disabled-reasons.ts';

export interface ConfigSource {
  url: string;
  title?: string | undefined;
  topics: string[];
  priority?: number | undefined;
  nearDuplicates?: boolean | undefined;
}

export interface SyncSummary {
  added: number;
  updated: number;
  disabled: number;
}

const INSERT_BATCH = 500;

/**
 * Upserts the config file's sources (origin `config`) and disables config sources no
 * longer in the file, keeping their items. A source an admin paused stays paused; one
 * that was disabled only because it had left the file is enabled again. The file wins for
 * topics, priority and near-duplicate grouping, and for the title when it gives one.
 *
 * Only URLs not yet stored are inserted: an INSERT … ON CONFLICT draws an identity value
 * for every row it proposes, even one that ends up updating, so upserting the whole file
 * at each start made source ids jump by the file's size per start.
 */
export async function syncConfigSources(db: Kysely<DB>, sources: ConfigSource[], now: Date): Promise<SyncSummary> {
  return db.transaction().execute(async (trx) => {
    const urls = sources.map((s) => s.url);
    const stored = new Map(
      (await trx.selectFrom('sources').select(['id', 'url']).where(sql<boolean>`url = any(${urls}::text[])`).execute()).map((row) => [row.url, row.id]),
    );
    const fresh = sources.filter((s) => !stored.has(s.url));
    const known = sources.filter((s) => stored.has(s.url));

    let added = 0;
    for (let start = 0; start < fresh.length; start += INSERT_BATCH) {
      const rows = await trx
        .insertInto('sources')
        .values(
          fresh.slice(start, start + INSERT_BATCH).map((source) => ({
            url: source.url,
            title: source.title ?? null,
            origin: 'config' as const,
            topics: source.topics,
            priority: source.priority ?? 0,
            near_duplicates: source.nearDuplicates ?? true,
            next_poll_at: now,
          })),
        )
        // Another instance starting at the same moment may have inserted it since: its row stands.
        .onConflict((oc) => oc.column('url').doNothing())
        .returning('id')
        .execute();
      added += rows.length;
    }

    let updated = 0;
    if (known.length > 0) {
      const rows = JSON.stringify(
        known.map((s) => ({ id: stored.get(s.url), title: s.title ?? null, topics: s.topics, priority: s.priority ?? 0, near_duplicates: s.nearDuplicates ?? true })),
      );
      const result = await sql`
        update sources s set
          origin = 'config',
          title = coalesce(u.title, s.title),
          topics = u.topics,
          priority = u.priority,
          near_duplicates = u.near_duplicates,
          enabled = s.enabled or s.disabled_reason = ${DISABLED_REASONS.removedFromConfig},
          disabled_reason = case when s.disabled_reason = ${DISABLED_REASONS.removedFromConfig} then null else s.disabled_reason end,
          updated_at = ${now}
        from jsonb_to_recordset(${rows}::jsonb) as u(id bigint, title text, topics text[], priority integer, near_duplicates boolean)
        where s.id = u.id`.execute(trx);
      updated = Number(result.numAffectedRows ?? 0);
    }

    let removed = trx
      .updateTable('sources')
      .set({ enabled: false, disabled_reason: DISABLED_REASONS.removedFromConfig, lease_owner: null, lease_until: null, updated_at: now })
      .where('origin', '=', 'config')
      .where('enabled', '=', true);
    if (urls.length > 0) removed = removed.where(sql<boolean>`not (url = any(${urls}::text[]))`);
    const result = await removed.executeTakeFirst();
    return { added, updated, disabled: Number(result.numUpdatedRows) };
  });
}
