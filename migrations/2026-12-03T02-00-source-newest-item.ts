import { sql, type Kysely } from 'kysely';

/**
 * What a source's staleness is judged by (src/admin/source-view-stale.ts): the date of its
 * newest item as its feed states it (first sighting for undated items), and its usual gap
 * between items, the mean over the week before that newest item (the scheduler's publishing
 * interval, poll-schedule.ts, measured back from the newest item rather than from now, so it
 * does not grow as the source goes quiet). Set by every 200; filled here from stored items.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table sources
      add column newest_item_at timestamptz,
      add column publishing_gap_seconds integer check (publishing_gap_seconds >= 0)`.execute(db);
  await sql`
    with newest as (
      select source_id, max(published_at) as at from items where published_at <= now() group by source_id
    ), rhythm as (
      select n.source_id, n.at, count(*) as recent
      from newest n join items i on i.source_id = n.source_id and i.published_at between n.at - interval '7 days' and n.at
      group by n.source_id, n.at
    )
    update sources s set newest_item_at = r.at, publishing_gap_seconds = round(604800.0 / r.recent)::integer
    from rhythm r where s.id = r.source_id`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sources drop column newest_item_at, drop column publishing_gap_seconds`.execute(db);
}
