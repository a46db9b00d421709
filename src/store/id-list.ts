import { sql, type RawBuilder } from 'kysely';

/**
 * `column = any($1::bigint[])`: one bind parameter for any number of ids, where
 * kysely's `in` would spend one per id (Postgres allows 65,535 per statement).
 */
export function idIn(column: string, ids: readonly number[]): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} = any(${ids}::bigint[])`;
}
