/**
 * settingSince (src/store/settings.ts): since when a setting has held its value. The OPML
 * listing's dateCreated comes from it, so it must stay put while the value does, across
 * restarts and instances sharing the database, and move when the value changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingSince } from '../../src/store/settings.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const at = (iso: string) => new Date(iso);

describe('settingSince', () => {
  it('answers the first time a value was stored while it stays the same', async () => {
    expect(await settingSince(database.db, 'listing-a', 'v1', at('2026-11-01T00:00:00Z'))).toEqual(at('2026-11-01T00:00:00Z'));
    expect(await settingSince(database.db, 'listing-a', 'v1', at('2026-11-05T00:00:00Z'))).toEqual(at('2026-11-01T00:00:00Z'));
  });

  it('moves to now when the value changes, and stays there', async () => {
    await settingSince(database.db, 'listing-b', 'v1', at('2026-11-01T00:00:00Z'));
    expect(await settingSince(database.db, 'listing-b', 'v2', at('2026-11-03T00:00:00Z'))).toEqual(at('2026-11-03T00:00:00Z'));
    expect(await settingSince(database.db, 'listing-b', 'v2', at('2026-11-04T00:00:00Z'))).toEqual(at('2026-11-03T00:00:00Z'));
  });

  it('gives instances starting together with the same value one answer', async () => {
    const answers = await Promise.all(
      ['2026-11-02T00:00:00Z', '2026-11-02T00:00:01Z', '2026-11-02T00:00:02Z'].map((time) => settingSince(database.db, 'listing-c', 'v1', at(time))),
    );
    expect(new Set(answers.map((d) => d.getTime())).size).toBe(1);
  });
});
