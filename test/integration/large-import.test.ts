/**
 * A large OPML import and the first poll cycle after it must not starve the HTTP server:
 * while hundreds of new sources are fetched, parsed and stored, /healthz keeps answering,
 * many times over. (Behaviour, not speed: a starved server answers a handful of probes at
 * most during the cycle; how fast it answers is the bench's business.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

const TOKEN = 'large-import-admin-token-0123456789';
const FEEDS = 400;
let fixtures: FixtureServer;
let service: Service;

/** Distinct words per item: real articles, not near-duplicates of each other. */
const words = (seed: number) => Array.from({ length: 60 }, (_, k) => `w${(seed * 7919 + k * 104_729) % 50_000}`).join(' ');

beforeAll(async () => {
  fixtures = await startFixtureServer();
  for (let i = 0; i < FEEDS; i++) {
    fixtures.route(`/f${i}.xml`, {
      body: rssFeed(
        `Feed ${i}`,
        Array.from({ length: 8 }, (_, j) => ({
          guid: `${i}-${j}`,
          title: `Seoul story ${i}-${j}`,
          link: `https://f${i}.example/${j}`,
          description: `<p>${words(i * 10 + j)}</p>`,
        })),
      ),
    });
  }
  const config = testConfig({ polling: { schedule: '0 0 1 1 *', allowPrivateNetworks: true, concurrency: 16, perHost: 16, hostSpacing: 0 } });
  service = await serve({ ...readEnv({}), port: 0, publicUrl: 'http://feeds.test', adminToken: TOKEN }, config, silentLog, {
    handleSignals: false,
    pollAtStart: false,
    database: await createTestDatabase(),
  });
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await fixtures?.close();
});

describe('a large OPML import', () => {
  it('imports every outline, then polls them all while /healthz keeps answering', async () => {
    const opml = `<opml version="2.0"><body>${Array.from({ length: FEEDS }, (_, i) => `<outline type="rss" text="Feed ${i}" xmlUrl="${fixtures.url(`/f${i}.xml`)}"/>`).join('')}</body></opml>`;
    const imported = await fetch(`${service.url}/admin/api/opml`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/x-opml' },
      body: opml,
    });
    expect(((await imported.json()) as { added: unknown[] }).added).toHaveLength(FEEDS);

    const answers: number[] = [];
    let polling = true;
    const probing = (async () => {
      while (polling) {
        answers.push(
          await fetch(`${service.url}/healthz`).then(
            (r) => r.status,
            () => 0,
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    await service.pollNow();
    polling = false;
    await probing;
    const stored = await service.context.db
      .selectFrom('items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(stored.n).toBe(FEEDS * 8);
    expect(answers.every((status) => status === 200)).toBe(true);
    // The cycle stores 3,200 items; a server starved meanwhile answers a few probes at most.
    expect(answers.length).toBeGreaterThanOrEqual(20);
  }, 300_000);
});
