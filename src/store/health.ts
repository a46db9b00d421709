/** Queries behind /readyz and the database gauges of /metrics. */
import { sql, type Kysely } from 'kysely';
import type { DB, Source } from '../db/schema.ts';

/** Seconds the most overdue enabled, unleased source is late; 0 when none is due. */
export async function pollLagSeconds(db: Kysely<DB>, now: Date): Promise<number> {
  const row = await db
    .selectFrom('sources')
    .select(sql<Date | null>`min(next_poll_at)`.as('oldest'))
    .where('enabled', '=', true)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .executeTakeFirst();
  const oldest = row?.oldest;
  return oldest ? Math.max(0, (now.getTime() - new Date(oldest).getTime()) / 1000) : 0;
}

export async function failingSourceCount(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('sources')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('enabled', '=', true)
    .where('error_code', 'is not', null)
    .executeTakeFirstOrThrow();
  return row.n;
}

/**
 * What staleness is judged by (src/admin/source-view-stale.ts), for every source whose last
 * poll succeeded and that is polled: the ones whose state is `ok` or `stale`.
 */
export async function healthySourceRhythms(db: Kysely<DB>): Promise<Array<Pick<Source, 'newest_item_at' | 'publishing_gap_seconds' | 'created_at'>>> {
  return db
    .selectFrom('sources')
    .select(['newest_item_at', 'publishing_gap_seconds', 'created_at'])
    .where('enabled', '=', true)
    .where('deleting_since', 'is', null)
    .where('error_code', 'is', null)
    .where('last_polled_at', 'is not', null)
    .execute();
}

/** A round trip to the database, failing after `timeoutMs` (a dead server may never answer). */
export async function pingDatabase(db: Kysely<DB>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([sql`select 1`.execute(db), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
