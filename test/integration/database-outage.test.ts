/**
 * A database outage, on a PostgreSQL server this test starts itself (initdb in a temporary
 * directory, its own port), so the shared one is never touched. The server goes down in
 * the middle of a poll (while its fetch is in flight). While it is down, readers keep
 * getting the last topic feeds (same bytes, same ETag) from memory, /readyz answers 503,
 * and the poll job's failures are logged while the process keeps running; when the server
 * is back, readiness returns and polling resumes by itself: the item the interrupted poll
 * could not store appears in the topic feed, without restarting the service.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { testConfig } from '../helpers/context.ts';

/** The newest installed PostgreSQL server binaries, if any. */
function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(root, versions[0]!, 'bin') : null;
}

const BIN = postgresBinDir();
const ADMIN = 'outage-test-admin-token-0123456789';
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A throwaway PostgreSQL cluster. PostgreSQL refuses to run as root, so under root its
 * commands run as the `postgres` user (runuser) in a directory that user owns.
 */
class TemporaryCluster {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'tidings-outage-pg-'));
  readonly data = path.join(this.dir, 'data');
  port = 0;

  private run(command: string, args: string[]): void {
    const asRoot = process.getuid?.() === 0;
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(BIN!, command), ...args]] : [path.join(BIN!, command), args];
    const result = spawnSync(file, argv, { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr || result.stdout}`);
  }

  async init(): Promise<void> {
    if (process.getuid?.() === 0) {
      const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
      chownSync(this.dir, uid!, gid!);
    }
    this.port = await freePort();
    this.run('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  }

  start(): void {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir} -c fsync=off`;
    this.run('pg_ctl', ['-D', this.data, '-o', options, '-l', path.join(this.dir, 'server.log'), '-w', '-t', '30', 'start']);
  }

  /** Immediate shutdown: connections are cut as in a crash. */
  stop(): void {
    this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  destroy(): void {
    try {
      this.stop();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A pino logger keeping its JSON lines in memory. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'warn' }, sink), lines };
}

async function waitUntil(condition: () => Promise<boolean> | boolean, label: string, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting until ${label}`);
    await wait(50);
  }
  return Date.now() - started;
}

describe.runIf(BIN !== null)('a database outage (own PostgreSQL server)', () => {
  let cluster: TemporaryCluster;
  let fixtures: FixtureServer;
  let service: Service;
  const logs = capturingLogger();
  const items = [{ guid: 'a', title: 'North Korea talks resume', link: 'https://wire.example/a' }];
  /** Set to stop the database while the next fetch of the feed is in flight. */
  let stopDuringNextFetch = false;
  let downAt = 0;

  beforeAll(async () => {
    cluster = new TemporaryCluster();
    await cluster.init();
    cluster.start();
    const admin = new pg.Client({ connectionString: cluster.url('postgres') });
    await admin.connect();
    await admin.query('create database tidings');
    await admin.end();

    fixtures = await startFixtureServer();
    fixtures.route('/wire.xml', (_req, res) => {
      if (stopDuringNextFetch) {
        stopDuringNextFetch = false;
        cluster.stop();
        downAt = Date.now();
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssFeed('Wire', items));
    });
    const config = testConfig({
      sources: [{ url: fixtures.url('/wire.xml'), title: 'Wire' }],
      // Every second, with the source due again each time: polling resumes on its own.
      polling: { schedule: '* * * * * *', timeoutMs: 2000, allowPrivateNetworks: true, minInterval: '1s', maxInterval: '1s' },
    });
    const env = { ...readEnv({ DATABASE_URL: cluster.url('tidings'), ADMIN_TOKEN: ADMIN }), port: 0, publicUrl: 'http://feeds.test' };
    service = await serve(env, config, logs.log, { handleSignals: false });
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await fixtures?.close();
    cluster?.destroy();
  });

  const get = (route: string, headers: Record<string, string> = {}) => fetch(`${service.url}${route}`, { headers, signal: AbortSignal.timeout(5_000) });
  const feedTitles = async () => ((await (await get('/topics/korea/feed.json')).json()) as { items: Array<{ title: string }> }).items.map((i) => i.title);

  it('serves the last feeds from memory while the database is down, and resumes polling when it returns', async () => {
    await waitUntil(async () => (await feedTitles()).includes('North Korea talks resume'), 'the first item is served');
    const before = await get('/topics/korea/rss.xml');
    const etag = before.headers.get('etag');
    const body = await before.text();
    expect((await get('/readyz')).status).toBe(200);

    // The next poll fetches the new item, and the database goes down before it is stored.
    items.push({ guid: 'b', title: 'North Korea and South Korea agree on a hotline', link: 'https://wire.example/b' });
    stopDuringNextFetch = true;
    await waitUntil(() => downAt > 0, 'the database is stopped mid-poll');

    // Readiness says so; liveness and the feeds are unaffected.
    await waitUntil(async () => (await get('/readyz')).status === 503, '/readyz answers 503');
    const during = await get('/topics/korea/rss.xml');
    expect(during.status).toBe(200);
    expect(during.headers.get('etag')).toBe(etag);
    expect(await during.text()).toBe(body);
    // Another limit is rendered on demand; without the database the cached document stands in.
    expect((await get('/topics/korea/rss.xml?limit=5')).status).toBe(200);
    expect((await get('/healthz')).status).toBe(200);
    // The admin API says why it cannot answer, as the public routes do: 503, not 500.
    const admin = await get('/admin/api/sources', { authorization: `Bearer ${ADMIN}` });
    expect(admin.status).toBe(503);
    expect(((await admin.json()) as { error: { code: string } }).error.code).toBe('database_unavailable');
    // The poll job keeps ticking, fails, says so, and the process lives on.
    await waitUntil(() => logs.lines.some((l) => l.msg === 'job failed' && l.job === 'poll-feeds' && (l.time as number) >= downAt), 'a failed poll is logged');
    await wait(1_500);
    expect((await get('/healthz')).status).toBe(200);

    cluster.start();
    await waitUntil(async () => (await get('/readyz')).status === 200, '/readyz answers 200 again');
    // No restart: the scheduler's next poll takes the source back from the interrupted one,
    // stores the new item, and the feed shows it.
    await waitUntil(async () => (await feedTitles()).includes('North Korea and South Korea agree on a hotline'), 'the new item is served', 20_000);
    expect((await get('/topics/korea/rss.xml')).headers.get('etag')).not.toBe(etag);
  }, 60_000);
});
