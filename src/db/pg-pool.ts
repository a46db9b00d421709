/**
 * What every pg pool we open shares (Postgres, the embedded database in-process and
 * through the service's socket): the same type parsers, so all return the same JavaScript
 * values, and the same handling of lost connections.
 */
import pg from 'pg';

// int8 (bigint ids, count(*)) arrive as strings by default; our ids and counts stay far
// below 2^53, so numbers are safe and far less error-prone.
// A date column is a calendar day, not an instant: keep it as 'YYYY-MM-DD' instead of a
// Date at local midnight, which would shift with the server's time zone.
const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;
const DATE_OID = 1082;
const parseInt8Array = pg.types.getTypeParser(INT8_ARRAY_OID as never) as (value: string) => string[];

export const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8_OID) return (value: string) => Number(value);
    if (oid === INT8_ARRAY_OID) return (value: string) => parseInt8Array(value).map(Number);
    if (oid === DATE_OID) return (value: string) => value;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

/**
 * An idle client losing its connection (database restart, the embedded service stopping)
 * must not crash the process; the pool drops that client and the next query reconnects.
 * A client checked out of the pool (between two statements of a transaction, or between
 * checkout and query) has no pool listener: its 'error' would be unhandled and kill the
 * process. Its query fails instead, and the pool discards it on release (not queryable).
 */
export function quietPoolErrors(pool: pg.Pool): void {
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
}
