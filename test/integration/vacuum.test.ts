/**
 * The embedded database has no autovacuum: without the vacuum job, a document rewritten at
 * every poll grows its table without end (src/store/vacuum.ts).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vacuumTables } from '../../jobs/vacuum-tables.ts';
import { saveGeneration, withDocumentLock } from '../../src/store/rendered-feeds.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { silentLog } from '../helpers/context.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

/** A ~33 kB format (~100 kB a document of three) that does not compress much, different each time. */
const formatBody = (version: number, format: number) =>
  Array.from({ length: 4_000 }, (_, i) => ((i * 2654435761 + version * 3 + format) % 1e9).toString(36)).join(' ');
const rewrite = async (from: number, times: number) => {
  const key = { topic: 'korea', kind: 'feed' } as const;
  for (let v = from; v < from + times; v++) {
    const formats = {
      rss: { body: formatBody(v, 0), etag: `"${v}"` },
      atom: { body: formatBody(v, 1), etag: `"${v}a"` },
      json: { body: formatBody(v, 2), etag: `"${v}j"` },
    };
    await withDocumentLock(database.db, key, (trx) => saveGeneration(trx, key, formats, new Date()));
  }
};
const tableBytes = async () => Number((await sql<{ n: string }>`select pg_total_relation_size('rendered_feeds') as n`.execute(database.db)).rows[0]!.n);

describe('vacuumTables', () => {
  it('makes the space of rewritten documents reusable, so rewrites after it do not grow the table', async () => {
    await rewrite(0, 60);
    await vacuumTables({ db: database.db, log: silentLog });
    const vacuumed = await tableBytes();
    await rewrite(60, 60);
    // Without the vacuum these 60 rewrites would add ~60 × 100 kB; with it, they reuse the space.
    expect(await tableBytes()).toBeLessThan(vacuumed + 1_500_000);
    expect((await database.db.selectFrom('rendered_feeds').select('etag').where('format', '=', 'rss').executeTakeFirstOrThrow()).etag).toBe('"119"');
  });
});
