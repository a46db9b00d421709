/**
 * Hourly upkeep of the embedded database, which has no autovacuum (src/store/vacuum.ts).
 * Not scheduled on Postgres, whose autovacuum does the same continuously.
 */
import type { AppContext } from '../src/app-context.ts';
import { vacuumDatabase } from '../src/store/vacuum.ts';

export type VacuumContext = Pick<AppContext, 'db' | 'log'>;

/** Returns how long the vacuum took, in milliseconds. */
export async function vacuumTables(ctx: VacuumContext): Promise<number> {
  const started = performance.now();
  await vacuumDatabase(ctx.db);
  const durationMs = Math.round(performance.now() - started);
  ctx.log.info({ component: 'vacuum', durationMs }, 'embedded database vacuumed and analyzed');
  return durationMs;
}
