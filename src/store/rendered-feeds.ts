/** All SQL about rendered documents: saved once per change, read by every instance. */
import { sql, type Kysely } from 'kysely';
import type { DB, FeedFormat, FeedKind, RenderedFeed } from '../db/schema.ts';

export interface RenderedDocument {
  topic: string;
  kind: FeedKind;
  format: FeedFormat;
  body: string;
  etag: string;
}

/** Saves a document unless the stored one has the same ETag; true when it changed. */
export async function saveRenderedFeed(db: Kysely<DB>, doc: RenderedDocument, now: Date): Promise<boolean> {
  const row = await db
    .insertInto('rendered_feeds')
    .values({ ...doc, updated_at: now })
    .onConflict((oc) =>
      oc
        .columns(['topic', 'kind', 'format'])
        .doUpdateSet((eb) => ({ body: eb.ref('excluded.body'), etag: eb.ref('excluded.etag'), updated_at: eb.ref('excluded.updated_at') }))
        .where('rendered_feeds.etag', '<>', (eb) => eb.ref('excluded.etag')),
    )
    .returning(sql<number>`1`.as('written'))
    .executeTakeFirst();
  return row !== undefined;
}

/** Documents changed after `since` (all when null), for the in-memory serving cache. */
export async function renderedFeedsSince(db: Kysely<DB>, since: Date | null): Promise<RenderedFeed[]> {
  let query = db.selectFrom('rendered_feeds').selectAll();
  if (since !== null) query = query.where('updated_at', '>', since);
  return query.execute();
}

export async function findRenderedFeed(db: Kysely<DB>, topic: string, kind: FeedKind, format: FeedFormat): Promise<RenderedFeed | undefined> {
  return db.selectFrom('rendered_feeds').selectAll().where('topic', '=', topic).where('kind', '=', kind).where('format', '=', format).executeTakeFirst();
}
