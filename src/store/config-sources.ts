/** All SQL of the start-up sync of feeds.config.json's sources into the sources table. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DISABLED_REASONS } from './disabled-reasons.ts';

export interface ConfigSource {
  url: string;
  title?: string | undefined;
  topics: string[];
  priority?: number | undefined;
  nearDuplicates?: boolean | undefined;
  timezone?: string | undefined;
  /** Each new or changed item's page is fetched for its article (src/ingest/full-content.ts). */
  fullContent?: boolean | undefined;
  /** HTTP Basic auth: the password's variable name is stored, never the password. */
  auth?: { username: string; passwordEnv: string } | undefined;
}

/** The auth columns of a config source; credentials belong to the origin of the URL the file gives. */
function authColumns(source: ConfigSource): { auth_username: string | null; auth_password_env: string | null; auth_origin: string | null } {
  if (source.auth === undefined) return { auth_username: null, auth_password_env: null, auth_origin: null };
  return { auth_username: source.auth.username, auth_password_env: source.auth.passwordEnv, auth_origin: new URL(source.url).origin };
}

export interface SyncSummary {
  added: number;
  updated: number;
  disabled: number;
}

const INSERT_BATCH = 500;
/** Merged sources point at their target; a chain longer than this is not followed. */
const MAX_CHAIN = 16;

/**
 * Upserts the config file's sources (origin `config`) and disables config sources no
 * longer in the file, keeping their items. A source an admin paused stays paused; one
 * that was disabled only because it had left the file is enabled again. The file wins for
 * topics, priority, near-duplicate grouping, full content and auth, and for the title when it gives one.
 *
 * A URL whose source was merged into another (its feed permanently redirects there,
 * source-merge.ts) stands for that other source: its topics are added to it, and neither the
 * merged source nor a new one at its URL is polled.
 *
 * Only URLs not yet stored are inserted: an INSERT … ON CONFLICT draws an identity value
 * for every row it proposes, even one that ends up updating, so upserting the whole file
 * at each start made source ids jump by the file's size per start.
 */
export async function syncConfigSources(db: Kysely<DB>, sources: ConfigSource[], now: Date): Promise<SyncSummary> {
  return db.transaction().execute(async (trx) => {
    const urls = sources.map((s) => s.url);
    const stored = await storedSources(trx, urls);
    const fresh = sources.filter((s) => !stored.has(s.url));
    const added = await insertSources(trx, fresh, now);
    const survivors = survivorUpdates(sources, stored);
    const updated = await updateSources(trx, survivors, now);

    let removed = trx
      .updateTable('sources')
      .set({ enabled: false, disabled_reason: DISABLED_REASONS.removedFromConfig, lease_owner: null, lease_until: null, updated_at: now })
      .where('origin', '=', 'config')
      .where('enabled', '=', true);
    if (urls.length > 0) removed = removed.where(sql<boolean>`not (url = any(${urls}::text[]))`);
    if (survivors.length > 0) removed = removed.where(sql<boolean>`not (id = any(${survivors.map((u) => u.id)}::bigint[]))`);
    const result = await removed.executeTakeFirst();
    return { added, updated, disabled: Number(result.numUpdatedRows) };
  });
}

/** Per stored config URL: its own row's id, and the source it stands for (itself unless merged). */
async function storedSources(trx: Transaction<DB>, urls: string[]): Promise<Map<string, { id: number; survivorId: number }>> {
  if (urls.length === 0) return new Map();
  const rows = await sql<{ url: string; id: number; survivor_id: number }>`
    with recursive chain (url, id, survivor_id, merged_into_id, depth) as (
      select url, id, id, merged_into_id, 0 from sources where url = any(${urls}::text[])
      union all
      -- A URL a source moved away from names that source.
      select p.url, s.id, s.id, s.merged_into_id, 0 from sources s cross join unnest(s.previous_urls) as p(url)
      where p.url = any(${urls}::text[]) and not exists (select 1 from sources o where o.url = p.url)
      union all
      select c.url, c.id, s.id, s.merged_into_id, c.depth + 1
      from chain c join sources s on s.id = c.merged_into_id
      where c.depth < ${MAX_CHAIN}
    )
    select distinct on (url) url, id, survivor_id from chain order by url, depth desc`.execute(trx);
  return new Map(rows.rows.map((r) => [r.url, { id: r.id, survivorId: r.survivor_id }]));
}

async function insertSources(trx: Transaction<DB>, fresh: ConfigSource[], now: Date): Promise<number> {
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
          timezone: source.timezone ?? null,
          full_content: source.fullContent ?? false,
          ...authColumns(source),
          next_poll_at: now,
        })),
      )
      // Another instance starting at the same moment may have inserted it since: its row stands.
      .onConflict((oc) => oc.column('url').doNothing())
      .returning('id')
      .execute();
    added += rows.length;
  }
  return added;
}

/**
 * What the file says about each stored source it names, directly (`own`) or through the URLs
 * of sources merged into it. Its own entry sets everything as before; merged URLs add topics.
 */
interface SurvivorUpdate {
  id: number;
  own: ConfigSource | null;
  topics: string[];
}

function survivorUpdates(sources: ConfigSource[], stored: Map<string, { id: number; survivorId: number }>): SurvivorUpdate[] {
  const updates = new Map<number, SurvivorUpdate>();
  for (const source of sources) {
    const row = stored.get(source.url);
    if (row === undefined) continue;
    const update = updates.get(row.survivorId) ?? { id: row.survivorId, own: null, topics: [] };
    if (row.id === row.survivorId) {
      update.own = source;
      update.topics = [...source.topics, ...update.topics.filter((t) => !source.topics.includes(t))];
    } else {
      update.topics = [...update.topics, ...source.topics.filter((t) => !update.topics.includes(t))];
    }
    updates.set(row.survivorId, update);
  }
  return [...updates.values()];
}

async function updateSources(trx: Transaction<DB>, updates: SurvivorUpdate[], now: Date): Promise<number> {
  if (updates.length === 0) return 0;
  const rows = JSON.stringify(
    updates.map(({ id, own, topics }) => ({
      id,
      own: own !== null,
      title: own?.title ?? null,
      topics,
      priority: own?.priority ?? 0,
      near_duplicates: own?.nearDuplicates ?? true,
      timezone: own?.timezone ?? null,
      full_content: own?.fullContent ?? false,
      ...(own ? authColumns(own) : { auth_username: null, auth_password_env: null, auth_origin: null }),
    })),
  );
  // Named only through merged URLs: its topics gain theirs; its other settings stay.
  const result = await sql`
    update sources s set
      origin = case when u.own then 'config' else s.origin end,
      title = case when u.own then coalesce(u.title, s.title) else s.title end,
      topics = case when u.own then u.topics else s.topics || array(select t from unnest(u.topics) as t where t <> all(s.topics)) end,
      priority = case when u.own then u.priority else s.priority end,
      near_duplicates = case when u.own then u.near_duplicates else s.near_duplicates end,
      timezone = case when u.own then u.timezone else s.timezone end,
      full_content = case when u.own then u.full_content else s.full_content end,
      -- Turned on: the next poll reads the feed even if unchanged, to fetch its items' pages.
      etag = case when u.own and u.full_content and not s.full_content then null else s.etag end,
      last_modified = case when u.own and u.full_content and not s.full_content then null else s.last_modified end,
      auth_username = case when u.own then u.auth_username else s.auth_username end,
      auth_password_env = case when u.own then u.auth_password_env else s.auth_password_env end,
      auth_origin = case when u.own then u.auth_origin else s.auth_origin end,
      enabled = s.enabled or s.disabled_reason = ${DISABLED_REASONS.removedFromConfig},
      disabled_reason = case when s.disabled_reason = ${DISABLED_REASONS.removedFromConfig} then null else s.disabled_reason end,
      updated_at = ${now}
    from jsonb_to_recordset(${rows}::jsonb) as u(
      id bigint, own boolean, title text, topics text[], priority integer, near_duplicates boolean, timezone text, full_content boolean,
      auth_username text, auth_password_env text, auth_origin text)
    where s.id = u.id`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}
