import { sql, type Kysely } from 'kysely';

/**
 * A generation per rendered document (topic, kind): its three formats are written together
 * in one transaction under one number from a sequence, and instances sync by that number
 * instead of by `updated_at`, whose values come from the writers' clocks (src/http/feed-cache.ts).
 * Rows already stored become generation 0; the next regeneration that changes any format
 * writes all three under a new one (every instance regenerates all documents at start).
 * Instances still running the previous code cannot save documents once this has run (they
 * write no generation): upgrade all instances together.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create sequence rendered_feed_generations`.execute(db);
  await sql`alter table rendered_feeds add column generation bigint not null default 0`.execute(db);
  // Every write names its generation from now on.
  await sql`alter table rendered_feeds alter column generation drop default`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table rendered_feeds drop column generation`.execute(db);
  await sql`drop sequence rendered_feed_generations`.execute(db);
}
