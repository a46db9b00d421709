/**
 * Real feed clients read the topic feeds a running service serves: newsboat subscribes,
 * python3-feedparser parses with bozo 0, the Atom document validates against RFC 4287's
 * RELAX NG schema, the JSON Feed against the 1.1 schema (test/clients/check-all.sh).
 * The Debian packages they need are installed by .ci/run.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';
import { buildDigest, periodForDate } from '../../jobs/build-digests.ts';

let fixtures: FixtureServer;
let service: Service;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  fixtures.route('/a.xml', {
    body: rssFeed('Alpha & Co', [
      {
        guid: 'a1',
        title: 'North Korea <test> & "quotes"',
        link: 'https://alpha.example/1',
        description: '<p>Body with <b>markup</b> &amp; an <img src="/i.png"> image.</p>',
        category: 'Politics',
      },
      { guid: 'a2', title: '북한 미사일 발사', link: 'https://alpha.example/2', description: '한국어 본문' },
      { guid: 'a3', title: 'Seoul weather', pubDate: 'not a date', description: 'No link, no date.' },
    ]),
  });
  fixtures.route('/b.xml', {
    body: rssFeed('Beta', [
      { guid: 'b1', title: 'North Korea talks', link: 'https://alpha.example/1?utm_source=beta', pubDate: 'Mon, 23 Nov 2026 11:00:00 GMT' },
    ]),
  });
  const config = testConfig({ sources: [{ url: fixtures.url('/a.xml') }, { url: fixtures.url('/b.xml') }] });
  service = await serve({ ...readEnv({}), port: 0 }, config, silentLog, { handleSignals: false, database: await createTestDatabase() });
  await service.pollNow();
  // The fixture items are dated 23 November 2026: publish the digest of the day ending on the 24th.
  const topic = service.context.topics.current().list[0]!;
  await buildDigest(service.context, { topic, period: periodForDate(topic, '2026-11-24'), replace: true });
  await service.syncFeeds();
});

async function checkAll(base: string, min: number): Promise<string> {
  const script = fileURLToPath(new URL('../clients/check-all.sh', import.meta.url));
  const run = await promisify(execFile)('bash', [script, `${base}/rss.xml`, `${base}/atom.xml`, `${base}/feed.json`, String(min)], { timeout: 120_000 }).catch(
    (error: { stdout: string; stderr: string }) => error,
  );
  console.log(run.stdout);
  return run.stdout;
}

function expectAllPassed(stdout: string): void {
  expect(stdout).toMatch(/\b0 failed\b/);
  // Only the W3C validator may be skipped (it needs a source tree this machine lacks).
  const skipped = stdout.split('\n').filter((line) => line.startsWith('SKIP'));
  expect(skipped.every((line) => line.includes('w3c'))).toBe(true);
  expect(Number(/(\d+) passed/.exec(stdout)?.[1])).toBeGreaterThanOrEqual(7);
}
afterAll(async () => {
  await service?.stop();
  await fixtures?.close();
});

describe('real feed clients', () => {
  it('accept the RSS, Atom and JSON Feed documents of a topic', async () => {
    expectAllPassed(await checkAll(`${service.url}/topics/korea`, 3));
  });

  it('accept the digest feeds', async () => {
    expectAllPassed(await checkAll(`${service.url}/topics/korea/digest`, 1));
  });
});

describe('digest permalink', () => {
  it('serves the HTML page of a published digest', async () => {
    const response = await fetch(`${service.url}/topics/korea/digest/2026-11-24`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await response.text();
    expect(page).toContain('<title>Korea daily digest: Monday 23 November, 07:00 – Tuesday 24 November, 07:00 UTC</title>');
    expect(page).toContain('<a href="https://alpha.example/1">North Korea &amp; &quot;quotes&quot;</a>');
    expect(page).toContain('Reported by Alpha &amp; Co, Beta');
  });

  it('answers 404 for a day without a digest and 400 for a malformed date', async () => {
    expect((await fetch(`${service.url}/topics/korea/digest/2020-01-01`)).status).toBe(404);
    const bad = await fetch(`${service.url}/topics/korea/digest/yesterday`);
    expect(bad.status).toBe(400);
    expect((await bad.json()) as unknown).toMatchObject({ error: { code: 'invalid_date' } });
  });
});
