/**
 * A source that stops publishing, on a real database with a moved clock: it stays `ok` for
 * its window (4 usual gaps, a week at least) while its feed keeps answering, then shows as
 * `stale` in the admin API and the /metrics gauge, and is `ok` again with its next item.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

const TOKEN = 'stale-test-admin-token-0123456789abcdef';
const HOUR = 3_600_000;
const START = new Date('2026-03-02T00:00:00Z');
let now = START;
let fixtures: FixtureServer;
let service: Service;

/** The feed lists hourly items up to `last` (the newest 20). */
function publishUntil(last: Date): void {
  const items = Array.from({ length: 20 }, (_, i) => {
    const at = new Date(last.getTime() - i * HOUR);
    return { guid: `item-${at.getTime()}`, title: `News at ${at.toISOString()}`, pubDate: at.toUTCString() };
  });
  fixtures.route('/feed.xml', { body: rssFeed('Hourly', items) });
}

/** Moves the clock and polls whatever is due then. */
async function pollAt(hours: number): Promise<void> {
  now = new Date(START.getTime() + hours * HOUR);
  await service.pollNow();
}

interface ShownSource {
  state: string;
  newestItemAt: string | null;
  lastPolledAt: string;
  errorCode: string | null;
}

async function state(): Promise<ShownSource> {
  const response = await fetch(`${service.url}/admin/api/sources`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return ((await response.json()) as { sources: ShownSource[] }).sources[0]!;
}

async function staleGauge(): Promise<string | undefined> {
  return (await (await fetch(`${service.url}/metrics`)).text()).split('\n').find((line) => line.startsWith('tidings_sources_stale '));
}

beforeAll(async () => {
  fixtures = await startFixtureServer();
  publishUntil(new Date(START.getTime() - HOUR));
  const config = testConfig({ sources: [{ url: fixtures.url('/feed.xml'), topics: ['korea'] }], polling: { allowPrivateNetworks: true, maxInterval: '24h' } });
  service = await serve({ ...readEnv({ ADMIN_TOKEN: TOKEN }), port: 0 }, config, silentLog, {
    handleSignals: false,
    database: await createTestDatabase(),
    pollAtStart: false,
    now: () => now,
  });
});
afterAll(async () => {
  await service?.stop();
  await fixtures?.close();
});

describe('a source that stops publishing', () => {
  it('is ok while it publishes', async () => {
    await pollAt(0);
    expect(await state()).toMatchObject({ state: 'ok', newestItemAt: new Date(START.getTime() - HOUR).toISOString() });
    expect(await staleGauge()).toBe('tidings_sources_stale 0');
  });

  it('stays ok through its first quiet week, its feed answering all along', async () => {
    // Hourly publisher: four gaps are 4 hours, so the one-week floor applies, counted from the newest item (hour -1).
    for (const hours of [24, 72, 120, 166]) {
      await pollAt(hours);
      expect(await state()).toMatchObject({ state: 'ok', lastPolledAt: now.toISOString() });
    }
  });

  it('shows as stale in the admin API and /metrics once a week has passed since its newest item', async () => {
    await pollAt(167);
    // Its last poll (hour 166) succeeded: stale is not failing.
    expect(await state()).toMatchObject({ state: 'stale', errorCode: null });
    expect(await staleGauge()).toBe('tidings_sources_stale 1');
  });

  it('is ok again once a new item appears', async () => {
    publishUntil(new Date(START.getTime() + 190 * HOUR));
    await pollAt(191);
    expect(await state()).toMatchObject({ state: 'ok', newestItemAt: new Date(START.getTime() + 190 * HOUR).toISOString() });
    expect(await staleGauge()).toBe('tidings_sources_stale 0');
  });
});
