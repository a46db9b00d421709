/**
 * What admin page form posts leave for the page they redirect to (src/admin/page-results.ts,
 * src/store/admin-page-results.ts): readable by the session that made them, for an hour,
 * whichever instance asks; pruned once expired, and gone with their session.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_RESULT_TTL_SECONDS, readPageResult, savePageResult } from '../../src/admin/page-results.ts';
import { openSession, SESSION_TTL_SECONDS } from '../../src/admin/sessions.ts';
import { openPostgres } from '../../src/db/database.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../helpers/database.ts';
import { silentLog } from '../helpers/context.ts';

let database: TestDatabase;
let now = new Date('2026-12-03T12:00:00Z');
const ctx = () => ({ db: database.db, log: silentLog, now: () => now });

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

const rows = async () => Number((await sql<{ n: string }>`select count(*) as n from admin_page_results`.execute(database.db)).rows[0]!.n);

describe('admin page results', () => {
  it('are read back by the session that saved them, and by no other', async () => {
    const [mine, other] = [await openSession(ctx()), await openSession(ctx())];
    const body = { v: 1, flashes: [{ kind: 'error', text: 'Not added: <b>x</b>' }], form: { url: 'https://a.example/', topics: ['korea'] } };
    const id = await savePageResult(ctx(), mine, body);
    expect(id).toMatch(/^[\w-]{16}$/);
    expect(await readPageResult(ctx(), mine, id)).toEqual(body);
    expect(await readPageResult(ctx(), other, id)).toBeUndefined();
    expect(await readPageResult(ctx(), mine, `${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await readPageResult(ctx(), mine, "' or 1=1 --")).toBeUndefined();
  });

  it('keep a NUL the form carried as U+FFFD (PostgreSQL cannot store U+0000)', async () => {
    const session = await openSession(ctx());
    const id = await savePageResult(ctx(), session, { v: 1, form: { url: 'https://a.example/\u0000x', title: 'back\\u0000slash' } });
    expect(await readPageResult(ctx(), session, id)).toEqual({ v: 1, form: { url: 'https://a.example/\uFFFDx', title: 'back\\u0000slash' } });
  });

  it('expire after an hour, and are pruned when the next one is saved', async () => {
    const session = await openSession(ctx());
    const id = await savePageResult(ctx(), session, { v: 1 });
    now = new Date(now.getTime() + (PAGE_RESULT_TTL_SECONDS - 1) * 1000);
    expect(await readPageResult(ctx(), session, id)).toEqual({ v: 1 });
    now = new Date(now.getTime() + 1000);
    expect(await readPageResult(ctx(), session, id)).toBeUndefined();
    const fresh = await savePageResult(ctx(), session, { v: 2 });
    expect(await rows()).toBe(1);
    expect(await readPageResult(ctx(), session, fresh)).toEqual({ v: 2 });
  });

  it('go with their session when it is pruned', async () => {
    const session = await openSession(ctx());
    await savePageResult(ctx(), session, { v: 1 });
    now = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
    await openSession(ctx()); // prunes expired sessions
    expect(await rows()).toBe(0);
  });

  // Two connection pools stand for two instances: the page after the redirect may be served by the other.
  it.runIf(testDatabaseUrl !== null)('are read by every instance sharing the database', async () => {
    const other = openPostgres(database.url!, 1);
    try {
      const session = await openSession(ctx());
      const id = await savePageResult(ctx(), session, { v: 1, opml: { added: [] } });
      expect(await readPageResult({ db: other.db, now: () => now }, session, id)).toEqual({ v: 1, opml: { added: [] } });
    } finally {
      await other.close();
    }
  });
});
