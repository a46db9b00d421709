/**
 * All SQL about the topics table: reading the topics every instance serves, the start-up
 * sync of feeds.config.json's topics, and admins' changes. Every write bumps the
 * `topics_version` settings row in its transaction, which is how instances notice a change
 * made elsewhere (src/topic-registry.ts reads it on the serving tick).
 *
 * A database no topic was ever written to (no version row) stands for the config file's
 * topics, so commands run before the first `serve` still see them; the first write of any
 * kind stores the file's topics first (`seed`), so an admin's first topic never hides them.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, TopicDigestSettings } from '../db/schema.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export const TOPICS_VERSION_KEY = 'topics_version';

/** A topic's own fields, as the config file gives them. */
export interface TopicFields {
  slug: string;
  title: string;
  description: string;
  include: string[];
  exclude: string[];
  digest: TopicDigestSettings;
}

export interface StoredTopic extends TopicFields {
  origin: 'config' | 'admin';
  createdAt: Date;
  updatedAt: Date;
}

/** The stored version of the topics; null while no topic was ever written. */
export async function topicsVersion(db: Executor): Promise<string | null> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', TOPICS_VERSION_KEY).executeTakeFirst();
  return row?.value ?? null;
}

/** Every stored topic: the config file's in its order, then the admins' in creation order. */
export async function listStoredTopics(db: Executor): Promise<StoredTopic[]> {
  const rows = await db.selectFrom('topics').selectAll().orderBy(sql`origin = 'admin'`).orderBy('position').orderBy('slug').execute();
  return rows.map((row) => ({
    slug: row.slug,
    title: row.title,
    description: row.description,
    include: row.include,
    exclude: row.exclude,
    digest: row.digest,
    origin: row.origin,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}

async function bumpVersion(trx: Transaction<DB>, now: Date): Promise<void> {
  await sql`
    insert into settings (key, value, updated_at) values (${TOPICS_VERSION_KEY}, '1', ${now})
    on conflict (key) do update set value = (settings.value::bigint + 1)::text, updated_at = excluded.updated_at`.execute(trx);
}

function columns(topic: TopicFields) {
  return {
    title: topic.title,
    description: topic.description,
    include: topic.include,
    exclude: topic.exclude,
    digest: JSON.stringify(topic.digest),
  };
}

/** Stores the config file's topics when no topic was ever written (see the file comment); call first in a write. */
async function seed(trx: Transaction<DB>, configTopics: readonly TopicFields[], now: Date): Promise<void> {
  // One writer at a time decides whether to seed: two first writes must not both skip it.
  await sql`lock table topics in share row exclusive mode`.execute(trx);
  if ((await topicsVersion(trx)) !== null || configTopics.length === 0) return;
  await trx
    .insertInto('topics')
    .values(configTopics.map((t, position) => ({ slug: t.slug, ...columns(t), origin: 'config' as const, position, created_at: now, updated_at: now })))
    .onConflict((oc) => oc.column('slug').doNothing())
    .execute();
}

export interface TopicSyncSummary {
  added: number;
  updated: number;
  /** Config topics no longer in the file, removed (their documents stay until re-rendered or re-created). */
  removed: string[];
}

/**
 * Writes the file's topics (origin 'config', in the file's order): the file wins for every
 * topic it names, also one an admin made or changed. Config topics the file no longer names
 * are removed; admins' topics are left alone.
 */
export async function syncConfigTopics(db: Kysely<DB>, topics: readonly TopicFields[], now: Date): Promise<TopicSyncSummary> {
  return db.transaction().execute(async (trx) => {
    await seed(trx, [], now);
    const slugs = topics.map((t) => t.slug);
    const before = new Map(
      (await trx.selectFrom('topics').select(['slug', 'title', 'description', 'include', 'exclude', 'digest', 'origin', 'position']).execute()).map((r) => [
        r.slug,
        r,
      ]),
    );
    let added = 0;
    let updated = 0;
    for (const [position, topic] of topics.entries()) {
      const row = before.get(topic.slug);
      const same =
        row !== undefined &&
        row.origin === 'config' &&
        row.position === position &&
        JSON.stringify([row.title, row.description, row.include, row.exclude, row.digest]) ===
          JSON.stringify([topic.title, topic.description, topic.include, topic.exclude, topic.digest]);
      if (same) continue;
      await trx
        .insertInto('topics')
        .values({ slug: topic.slug, ...columns(topic), origin: 'config', position, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('slug').doUpdateSet({ ...columns(topic), origin: 'config', position, updated_at: now }))
        .execute();
      if (row === undefined) added++;
      else updated++;
    }
    const gone = [...before.values()].filter((r) => r.origin === 'config' && !slugs.includes(r.slug)).map((r) => r.slug);
    if (gone.length > 0) await trx.deleteFrom('topics').where('slug', 'in', gone).execute();
    if (added + updated + gone.length > 0 || (await topicsVersion(trx)) === null) await bumpVersion(trx, now);
    return { added, updated, removed: gone };
  });
}

/** Stores an admin's new topic after the others; false when the slug is taken. */
export async function insertAdminTopic(db: Kysely<DB>, topic: TopicFields, now: Date, configTopics: readonly TopicFields[]): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await seed(trx, configTopics, now);
    const inserted = await trx
      .insertInto('topics')
      .values({
        slug: topic.slug,
        ...columns(topic),
        origin: 'admin',
        position: sql<number>`(select coalesce(max(position), -1) + 1 from topics where origin = 'admin')`,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('slug').doNothing())
      .returning('slug')
      .executeTakeFirst();
    if (inserted) await bumpVersion(trx, now);
    return inserted !== undefined;
  });
}

/** Replaces a topic's fields (its slug and origin stay); false when there is no such topic. */
export async function updateTopic(db: Kysely<DB>, topic: TopicFields, now: Date, configTopics: readonly TopicFields[]): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await seed(trx, configTopics, now);
    const result = await trx
      .updateTable('topics')
      .set({ ...columns(topic), updated_at: now })
      .where('slug', '=', topic.slug)
      .executeTakeFirst();
    const found = Number(result.numUpdatedRows) > 0;
    if (found) await bumpVersion(trx, now);
    return found;
  });
}

/**
 * Removes a topic and everything published under it: its stories' memberships, rendered
 * documents, archive pages and digests, and its slug from the items' and sources' topics (so
 * no later refresh of a story brings the membership back). False when there is no such topic.
 */
export async function deleteTopic(db: Kysely<DB>, slug: string, now: Date, configTopics: readonly TopicFields[]): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await seed(trx, configTopics, now);
    const deleted = await trx.deleteFrom('topics').where('slug', '=', slug).returning('slug').executeTakeFirst();
    if (!deleted) return false;
    await trx.deleteFrom('story_topics').where('topic', '=', slug).execute();
    await trx.deleteFrom('rendered_feeds').where('topic', '=', slug).execute();
    await trx.deleteFrom('topic_archive_pending').where('topic', '=', slug).execute();
    await trx.deleteFrom('topic_archive_entries').where('topic', '=', slug).execute();
    await trx.deleteFrom('topic_archives').where('topic', '=', slug).execute();
    await trx.deleteFrom('digests').where('topic', '=', slug).execute();
    await sql`update items set topics = array_remove(topics, ${slug}::text) where ${slug}::text = any(topics)`.execute(trx);
    await sql`update sources set topics = array_remove(topics, ${slug}::text), updated_at = ${now} where ${slug}::text = any(topics)`.execute(trx);
    await bumpVersion(trx, now);
    return true;
  });
}
