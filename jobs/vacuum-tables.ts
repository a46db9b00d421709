/**
 * Hourly upkeep of the embedded database, which has no autovacuum (src/store/vacuum.ts).
 * Not scheduled on Postgres, whose autovacuum does the same continuously.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../src/db/schema.ts';
import type { Logger } from '../src/logger.ts';
import { vacuumDatabase } from '../src/store/vacuum.ts';

export interface VacuumContext {
  db: Kysely<DB>;
  log: Logger;
}

/** Returns how long the vacuum took, in milliseconds. */
export async function vacuumTables(ctx: VacuumContext): Promise<number> {
  const started = performance.now();
  await vacuumDatabase(ctx.db);
  const durationMs = Math.round(performance.now() - started);
  ctx.log.info({ durationMs }, 'embedded database vacuumed and analyzed');
  return durationMs;
}
