/**
 * Deleting a large source: every foreign key a delete goes through has an index, the admin
 * API answers at once (202) and the items go in batches in the background while the HTTP
 * server keeps answering; stories keep their other copies; the feeds are re-rendered.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { upsertItems } from '../../src/store/items.ts';
import { groupPendingItems } from '../../src/store/story-assignment.ts';
import { storyGrouping } from '../../src/dedupe/index.ts';
import { parseFeedsConfig } from '../../src/config/load-config.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { makeItem } from '../helpers/items.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

const TOKEN = 'deletion-test-admin-token-0123456789';
const ITEMS = 2_600;
let service: Service;
let bigId: number;
let smallId: number;

const db = () => service.context.db;
const admin = async (method: string, route: string) => {
  const response = await fetch(`${service.url}/admin/api${route}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: response.status, body: (await response.json()) as any };
};

async function waitUntil(condition: () => Promise<boolean>, label: string): Promise<void> {
  for (let tries = 0; !(await condition()); tries++) {
    if (tries > 600) throw new Error(`timed out waiting until ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  const config = testConfig({ sources: [], polling: { schedule: '0 0 1 1 *' } });
  service = await serve({ ...readEnv({}), port: 0, publicUrl: 'http://feeds.test', adminToken: TOKEN }, config, silentLog, {
    handleSignals: false,
    pollAtStart: false,
    database: await createTestDatabase(),
  });
  const now = new Date();
  const rows = await db()
    .insertInto('sources')
    .values([
      { url: 'https://big.example/feed', title: 'Big', origin: 'admin', topics: ['korea'] },
      { url: 'https://small.example/feed', title: 'Small', origin: 'admin', topics: ['korea'] },
    ])
    .returning(['id', 'url'])
    .execute();
  [bigId, smallId] = [rows.find((r) => r.url.includes('big'))!.id, rows.find((r) => r.url.includes('small'))!.id];
  const published = new Date(now.getTime() - 3_600_000);
  await upsertItems(
    db(),
    bigId,
    Array.from({ length: ITEMS }, (_, i) => makeItem({ key: `big-${i}`, url: `https://shared.example/${i}`, topics: ['korea'], publishedAt: published })),
    now,
  );
  // The small source carries copies of the big one's first 10 stories (same URLs).
  await upsertItems(
    db(),
    smallId,
    Array.from({ length: 10 }, (_, i) =>
      makeItem({
        key: `small-${i}`,
        url: `https://shared.example/${i}`,
        title: `Small copy ${i}`,
        topics: ['korea'],
        publishedAt: new Date(published.getTime() + 60_000),
      }),
    ),
    now,
  );
  await groupPendingItems(db(), now, storyGrouping(parseFeedsConfig({}, 'x').dedupe));
}, 120_000);

afterAll(async () => {
  await service?.stop();
});

describe('deleting a large source', () => {
  it('has an index for every foreign key column, so no delete scans a table', async () => {
    const unindexed = await sql<{ constraint: string }>`
      select c.conname as constraint
      from pg_constraint c
      where c.contype = 'f'
        and not exists (
          select 1 from pg_index i
          where i.indrelid = c.conrelid and (i.indkey::int2[])[0] = c.conkey[1]
        )`.execute(db());
    expect(unindexed.rows).toEqual([]);
  });

  it('answers at once, deletes in the background while the server keeps answering, and keeps the copies of other sources', async () => {
    const answer = await admin('DELETE', `/sources/${bigId}`);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: 'deleting', pendingItems: ITEMS, source: { id: bigId } });
    const probes: number[] = [];
    let deleting = true;
    const probing = (async () => {
      while (deleting) {
        probes.push((await fetch(`${service.url}/healthz`)).status);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const listed = (await admin('GET', '/sources')).body.sources.find((s: { id: number }) => s.id === bigId);
    expect(listed?.state ?? 'gone').toMatch(/^(deleting|gone)$/);
    await waitUntil(async () => (await admin('GET', `/sources/${bigId}`)).status === 404, 'the source is gone');
    deleting = false;
    await probing;
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every((status) => status === 200)).toBe(true);
    expect((await db().selectFrom('items').select(sql<number>`count(*)::int`.as('n')).where('source_id', '=', bigId).executeTakeFirstOrThrow()).n).toBe(0);
    // The shared stories now show the small source's copies; the rest are gone.
    const stories = await db().selectFrom('stories').innerJoin('items', 'items.id', 'stories.representative_item_id').select(['items.source_id']).execute();
    expect(stories.map((s) => s.source_id)).toEqual(Array(10).fill(smallId));
    await service.syncFeeds();
    const feed = (await (await fetch(`${service.url}/topics/korea/feed.json`)).json()) as { items: Array<{ title: string }> };
    expect(feed.items.map((i) => i.title).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `Small copy ${i}`).sort());
  });
});
