/**
 * Admin page sessions in the database (src/admin/sessions.ts, src/store/admin-sessions.ts):
 * open until they expire or are closed, whichever instance asks, and pruned once expired.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSession, openSession, sessionIsOpen, SESSION_TTL_SECONDS } from '../../src/admin/sessions.ts';
import { openPostgres } from '../../src/db/database.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../helpers/database.ts';
import { silentLog } from '../helpers/context.ts';

let database: TestDatabase;
let now = new Date('2026-12-02T12:00:00Z');
const ctx = () => ({ db: database.db, log: silentLog, now: () => now });

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

const rows = async () => Number((await sql<{ n: string }>`select count(*) as n from admin_sessions`.execute(database.db)).rows[0]!.n);

describe('admin sessions', () => {
  it('are open from login until they expire, and only for the id handed out', async () => {
    now = new Date('2026-12-02T12:00:00Z');
    const id = await openSession(ctx());
    expect(id).toMatch(/^[\w-]{43}$/);
    expect(await sessionIsOpen(ctx(), id)).toBe(true);
    expect(await sessionIsOpen(ctx(), `${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    expect(await sessionIsOpen(ctx(), '')).toBe(false);
    now = new Date(now.getTime() + (SESSION_TTL_SECONDS - 1) * 1000);
    expect(await sessionIsOpen(ctx(), id)).toBe(true);
    now = new Date(now.getTime() + 1000);
    expect(await sessionIsOpen(ctx(), id)).toBe(false);
  });

  it('end when closed, and closing one leaves the others open', async () => {
    const [a, b] = [await openSession(ctx()), await openSession(ctx())];
    await closeSession(ctx(), a);
    expect(await sessionIsOpen(ctx(), a)).toBe(false);
    expect(await sessionIsOpen(ctx(), b)).toBe(true);
    await closeSession(ctx(), a); // twice, or an unknown id: nothing to do
    await closeSession(ctx(), 'never-issued');
  });

  it('store only a digest of the id, so reading the table does not give a way in', async () => {
    const id = await openSession(ctx());
    const stored = (await sql<{ id: string }>`select id from admin_sessions`.execute(database.db)).rows.map((r) => r.id);
    expect(stored).not.toContain(id);
    expect(stored.every((s) => /^[0-9a-f]{64}$/.test(s))).toBe(true);
  });

  it('are pruned once expired, closed or not, when the next one opens', async () => {
    expect(await rows()).toBeGreaterThan(0);
    now = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
    const fresh = await openSession(ctx());
    expect(await rows()).toBe(1);
    expect(await sessionIsOpen(ctx(), fresh)).toBe(true);
  });

  // Two connection pools stand for two instances; PGlite is one connection in one process.
  it.runIf(testDatabaseUrl !== null)('end for every instance sharing the database', async () => {
    const other = openPostgres(database.url!, 1);
    try {
      const otherCtx = { db: other.db, log: silentLog, now: () => now };
      const id = await openSession(ctx());
      expect(await sessionIsOpen(otherCtx, id)).toBe(true);
      await closeSession(otherCtx, id);
      expect(await sessionIsOpen(ctx(), id)).toBe(false);
    } finally {
      await other.close();
    }
  });
});
