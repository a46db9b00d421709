/**
 * Where the database's time goes (`--statements`, PostgreSQL only): the statements of an
 * interval by total execution time, read from pg_stat_statements. The extension must be
 * preloaded by the server (`shared_preload_libraries = 'pg_stat_statements'`, then a
 * restart); without it the report says so and the run goes on.
 */
import { type Kysely, sql } from 'kysely';

export interface StatementReport {
  /** Starts an interval (resets the counters of this database). */
  reset(): Promise<void>;
  /** The heaviest statements since reset, formatted for the console. */
  report(limit?: number): Promise<string>;
}

interface Row {
  calls: number;
  total_ms: number;
  rows: number;
  query: string;
}

export async function statementReport(db: Kysely<any>): Promise<StatementReport | string> {
  try {
    await sql`create extension if not exists pg_stat_statements`.execute(db);
    await sql`select 1 from pg_stat_statements limit 1`.execute(db);
  } catch (error) {
    return `pg_stat_statements unavailable (${(error as Error).message}): preload it in the server to see where the database's time goes`;
  }
  return {
    async reset() {
      await sql`select pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)`.execute(db);
    },
    async report(limit = 12) {
      const { rows } = await sql<Row>`
        select calls::int, round(total_exec_time::numeric, 1)::float8 as total_ms, rows::int, query
        from pg_stat_statements
        where dbid = (select oid from pg_database where datname = current_database())
        order by total_exec_time desc
        limit ${limit}`.execute(db);
      const total = rows.reduce((sum, r) => sum + r.total_ms, 0);
      const lines = rows.map(
        (r) =>
          `  ${(r.total_ms / 1000).toFixed(2).padStart(7)} s ${String(r.calls).padStart(7)} calls ${String(r.rows).padStart(8)} rows  ${r.query.replace(/\s+/g, ' ').slice(0, 110)}`,
      );
      return [`  database time of the ${rows.length} heaviest statements: ${(total / 1000).toFixed(2)} s`, ...lines].join('\n');
    },
  };
}
