/** All SQL about digests: choosing a period's stories, publishing once, reading back. */
import { sql, type Kysely } from 'kysely';
import type { DB, Digest } from '../db/schema.ts';
import type { DigestStory } from '../model.ts';

/**
 * A topic's stories published in [start, end), ranked by how many outlets carried them,
 * then by recency. A story's time is its representative's publication time (clamped to
 * when it was first seen), so old items from a newly added feed stay out of today. Items an
 * admin hid are not outlets (nor representatives, nor in topics: stories.ts refreshStories).
 */
export async function storiesForDigest(db: Kysely<DB>, topic: string, start: Date, end: Date, limit: number): Promise<DigestStory[]> {
  const rows = await db
    .selectFrom('story_topics as st')
    .innerJoin('stories as s', 's.id', 'st.story_id')
    .innerJoin('items as i', 'i.id', 's.representative_item_id')
    .select([
      's.id as story_id',
      's.published_at',
      'i.url',
      'i.title',
      'i.summary',
      sql<Array<{ title: string; url: string | null }>>`(
        select json_agg(json_build_object('title', o.title, 'url', o.url) order by o.first desc, o.source_id)
        from (
          select distinct on (c.source_id) c.source_id, coalesce(src.title, src.url) as title, c.url, (c.id = s.representative_item_id) as first
          from items c join sources src on src.id = c.source_id
          where c.story_id = s.id and c.hidden_at is null
          order by c.source_id, (c.id = s.representative_item_id) desc, c.published_at
        ) o
      )`.as('outlets'),
    ])
    .where('st.topic', '=', topic)
    .where('st.published_at', '>=', start)
    .where('st.published_at', '<', end)
    .orderBy('s.source_count', 'desc')
    .orderBy('s.published_at', 'desc')
    .orderBy('s.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ storyId: r.story_id, publishedAt: r.published_at, url: r.url, title: r.title, summary: r.summary, outlets: r.outlets ?? [] }));
}

export interface NewDigest {
  topic: string;
  periodStart: Date;
  periodEnd: Date;
  periodDate: string;
  title: string;
  html: string;
  text: string;
  storyIds: number[];
  createdAt: Date;
}

/** Publishes a digest unless one exists for that topic and period; true when this call published it. */
export async function publishDigest(db: Kysely<DB>, digest: NewDigest, replace = false): Promise<boolean> {
  const values = {
    topic: digest.topic,
    period_start: digest.periodStart,
    period_end: digest.periodEnd,
    period_date: digest.periodDate,
    title: digest.title,
    html: digest.html,
    text: digest.text,
    story_ids: digest.storyIds,
    created_at: digest.createdAt,
  };
  return db.transaction().execute(async (trx) => {
    if (replace) await trx.deleteFrom('digests').where('topic', '=', digest.topic).where('period_date', '=', digest.periodDate).execute();
    const row = await trx
      .insertInto('digests')
      .values(values)
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  });
}

/**
 * End of the newest period already built for a topic. An empty period is recorded as a
 * digest with no stories (never shown), so it is not reconsidered after a restart.
 */
export async function latestDigestEnd(db: Kysely<DB>, topic: string): Promise<Date | null> {
  const row = await db.selectFrom('digests').select('period_end').where('topic', '=', topic).orderBy('period_end', 'desc').limit(1).executeTakeFirst();
  return row?.period_end ?? null;
}

export async function recentDigests(db: Kysely<DB>, topic: string, limit: number): Promise<Digest[]> {
  return db
    .selectFrom('digests')
    .selectAll()
    .where('topic', '=', topic)
    .where(sql<boolean>`cardinality(story_ids) > 0`)
    .orderBy('period_end', 'desc')
    .limit(limit)
    .execute();
}

export async function findDigest(db: Kysely<DB>, topic: string, date: string): Promise<Digest | undefined> {
  return db
    .selectFrom('digests')
    .selectAll()
    .where('topic', '=', topic)
    .where('period_date', '=', date)
    .where(sql<boolean>`cardinality(story_ids) > 0`)
    .executeTakeFirst();
}

export interface DigestSummary {
  date: string;
  title: string;
  periodStart: Date;
  periodEnd: Date;
  stories: number;
}

/** A topic's published digests, newest first, without their bodies (the digest index page). */
export async function listDigests(db: Kysely<DB>, topic: string, limit: number): Promise<DigestSummary[]> {
  const rows = await db
    .selectFrom('digests')
    .select(['period_date', 'title', 'period_start', 'period_end', sql<number>`cardinality(story_ids)`.as('stories')])
    .where('topic', '=', topic)
    .where(sql<boolean>`cardinality(story_ids) > 0`)
    .orderBy('period_end', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ date: r.period_date, title: r.title, periodStart: r.period_start, periodEnd: r.period_end, stories: Number(r.stories) }));
}
