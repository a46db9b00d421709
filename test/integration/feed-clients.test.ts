/**
 * Real feed clients read the topic feeds a running service serves: newsboat subscribes,
 * python3-feedparser parses with bozo 0, the Atom document validates against RFC 4287's
 * RELAX NG schema, the JSON Feed against the 1.1 schema (../shared/clients/check-all.sh).
 * The Debian packages they need are installed by .ci/run.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';
import { sharedDir } from '../helpers/shared.ts';

let fixtures: FixtureServer;
let service: Service;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  fixtures.route('/a.xml', {
    body: rssFeed('Alpha & Co', [
      { guid: 'a1', title: 'North Korea <test> & "quotes"', link: 'https://alpha.example/1', description: '<p>Body with <b>markup</b> &amp; an <img src="/i.png"> image.</p>', category: 'Politics' },
      { guid: 'a2', title: '북한 미사일 발사', link: 'https://alpha.example/2', description: '한국어 본문' },
      { guid: 'a3', title: 'Seoul weather', pubDate: 'not a date', description: 'No link, no date.' },
    ]),
  });
  fixtures.route('/b.xml', { body: rssFeed('Beta', [{ guid: 'b1', title: 'North Korea talks', link: 'https://alpha.example/1?utm_source=beta' }]) });
  const config = testConfig({ sources: [{ url: fixtures.url('/a.xml') }, { url: fixtures.url('/b.xml') }] });
  service = await serve({ ...readEnv({}), port: 0 }, config, silentLog, { handleSignals: false, database: await createTestDatabase() });
  await service.pollNow();
});
afterAll(async () => {
  await service?.stop();
  await fixtures?.close();
});

describe('real feed clients', () => {
  it('accept the RSS, Atom and JSON Feed documents of a topic', async () => {
    const base = `${service.url}/topics/korea`;
    const script = path.join(sharedDir(), 'clients/check-all.sh');
    const run = await promisify(execFile)('bash', [script, `${base}/rss.xml`, `${base}/atom.xml`, `${base}/feed.json`, '3'], { timeout: 120_000 }).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    console.log(run.stdout);
    expect(run.stdout).toMatch(/\b0 failed\b/);
    // Only the W3C validator may be skipped (it needs a source tree this machine lacks).
    const skipped = run.stdout.split('\n').filter((line) => line.startsWith('SKIP'));
    expect(skipped.every((line) => line.includes('w3c'))).toBe(true);
    expect(Number(/(\d+) passed/.exec(run.stdout)?.[1])).toBeGreaterThanOrEqual(7);
  });
});
