/**
 * `npm run bench`: ingest and serving measured against the stack's own limits, side by side
 * in one run (these machines are shared and noisy: ratios hold, absolute times do not).
 *
 *   npm run bench -- [--feeds 1000] [--seed 42] [--serve-seconds 10] [--connections 64]
 *                    [--scale-items 1000000] [--hostile-kb 1000] [--out bench/results/latest.json]
 *                    [--peers] [--idle-settle-seconds 35] [--statements] [--ingest-only]
 *
 * The idle footprint of the default (bench/idle-footprint.ts) starts the service as
 * `npm start` does, in a process of its own, and reads its memory once it has polled and
 * idled --idle-settle-seconds (long enough for its parser workers to stop).
 *
 * --peers also times a peer over the same corpus: rss-feed-emitter (bench/peer.ts), in a
 * process of its own, against the Tidings cold cycle.
 *
 * The fixture feed server, the ingest baseline and the peer run in child processes (bench/child.ts),
 * so this process is Tidings alone: its CPU and peak RSS (worker threads included) are its own.
 *
 * --statements (PostgreSQL with pg_stat_statements preloaded) prints the heaviest statements
 * of the cold cycle; --ingest-only stops after the ingest figures (for profiling them).
 *
 * Database: a fresh embedded PGlite in a temporary directory, or, with BENCH_DATABASE_URL
 * (a Postgres server URL), a fresh database created there and dropped afterwards.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { readEnv } from '../src/config/env.ts';
import { parseFeedsConfig } from '../src/config/load-config.ts';
import { createLogger } from '../src/logger.ts';
import { serve, type Service } from '../src/main.ts';
import { vacuumDatabase } from '../src/store/vacuum.ts';
import { startChild } from './child.ts';
import { measureIdleFootprint, SETTLE_MS } from './idle-footprint.ts';
import { serviceAndDatabaseCpu } from './cpu.ts';
import { statementReport } from './statements.ts';
import type { BenchResults, Figure } from './results.ts';
import { hostileParsingFigures, textSignatureFigures } from './pure.ts';
import { servingFigures } from './serving.ts';
import { fillItems, timeRegeneration, timeStoryLookup } from './scale.ts';
import { timeSearches } from './search.ts';

const { values: args } = parseArgs({
  options: {
    feeds: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '42' },
    'serve-seconds': { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    'scale-items': { type: 'string', default: '1000000' },
    'hostile-kb': { type: 'string', default: '1000' },
    out: { type: 'string', default: 'bench/results/latest.json' },
    peers: { type: 'boolean', default: false },
    'idle-settle-seconds': { type: 'string', default: String(SETTLE_MS / 1000) },
    statements: { type: 'boolean', default: false },
    'ingest-only': { type: 'boolean', default: false },
  },
});
const FEEDS = Number(args.feeds);
const SERVE_SECONDS = Number(args['serve-seconds']);
const CONNECTIONS = Number(args.connections);
const SCALE_ITEMS = Number(args['scale-items']);
const HOSTILE_BYTES = Number(args['hostile-kb']) * 1000;
const CONCURRENCY = 64;
// `npm run bench` runs this file compiled (dist/bench/run.js) with the service's node flags
// (package.json), so the measured process is the service as operators run it: no TypeScript
// loader, whose thread and caches would add ~80 MB to the peak RSS. The test suite's smoke
// run uses the sources through tsx.
const COMPILED = import.meta.url.endsWith('.js');
const sibling = (name: string) => new URL(`./${name}${COMPILED ? '.js' : '.ts'}`, import.meta.url).pathname;
const TOPIC = 'korea';
/** The repository: the service started as `npm start` runs from here (dist/bench/ when compiled). */
const ROOT = fileURLToPath(new URL(COMPILED ? '../../' : '../', import.meta.url));

const figures: Figure[] = [];
function record(name: string, value: number, unit: string, target?: { text: string; met: boolean }): void {
  figures.push({ name, value: Math.round(value * 1000) / 1000, unit, ...(target ? { target: target.text, met: target.met } : {}) });
  const flag = target ? (target.met ? `  ok (target ${target.text})` : `  MISSED (target ${target.text})`) : '';
  console.log(`  ${name.padEnd(72)} ${value.toFixed(value < 10 ? 3 : 1).padStart(12)} ${unit}${flag}`);
}

async function freshDatabaseUrl(): Promise<{ url: string | null; drop(): Promise<void> }> {
  const server = process.env.BENCH_DATABASE_URL?.trim();
  if (!server) return { url: null, drop: async () => {} };
  const name = `tidings_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

function peakRssSampler(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 25);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tidings-bench-'));
  const database = await freshDatabaseUrl();
  // The feed server and the baseline run in processes of their own: this process is Tidings alone.
  const feedServer = await startChild(sibling('corpus-server'));
  const { urls, items: totalItems } = await feedServer.call<{ urls: string[]; items: number }>('start', FEEDS, Number(args.seed));
  const served = () => feedServer.call<{ total: number; notModified: number; bytes: number }>('requests');
  console.log(
    `Tidings benchmark: ${FEEDS} feeds, ${totalItems} items, database ${database.url ? 'PostgreSQL' : 'PGlite (embedded)'}, ${CONCURRENCY} fetches in flight`,
  );

  const config = parseFeedsConfig(
    {
      topics: [{ slug: TOPIC, title: 'Korea', include: ['korea', 'seoul', 'pyongyang', 'peninsula'] }],
      sources: urls.map((url) => ({ url })),
      // Every feed is on one loopback host here: the per-host cap is lifted to the global one,
      // and no spacing between requests (on PostgreSQL it would pace the whole run).
      polling: { schedule: '0 0 1 1 *', concurrency: CONCURRENCY, perHost: CONCURRENCY, hostSpacing: 0, allowPrivateNetworks: true, timeoutMs: 60_000 },
    },
    'bench config',
  );
  const env = {
    ...readEnv({ EMBEDDED_SHARED_BUFFERS: process.env.EMBEDDED_SHARED_BUFFERS, EMBEDDED_PROFILE: process.env.EMBEDDED_PROFILE }),
    port: 0,
    databaseUrl: database.url,
    dataDir,
    publicUrl: 'http://bench.test',
  };
  const log = createLogger('silent');
  const service = await serve(env, config, log, { handleSignals: false, pollAtStart: false });
  console.log(
    `Service code: ${COMPILED ? 'compiled JavaScript (dist/), as `npm start` runs it' : 'TypeScript sources through tsx (use `npm run bench` to measure the compiled service)'}; node flags: ${process.execArgv.join(' ') || 'none'}\n`,
  );
  const db = service.context.db;
  const due = () => sql`update sources set next_poll_at = now() - interval '1 second'`.execute(db);
  const itemRows = async () => Number((await sql<{ n: number }>`select count(*)::int as n from items`.execute(db)).rows[0]!.n);
  const cpu = serviceAndDatabaseCpu(database.url !== null);

  try {
    console.log('Ingest');
    const baselineProcess = await startChild(sibling('baseline-process'));
    const baseline = await baselineProcess.call<{ seconds: number }>('run', urls, CONCURRENCY);
    // Kept for the changed feeds' baseline below: by then it has parsed the corpus once, as
    // the Tidings process has (a fresh process would add its warm-up to a short measure).
    record('baseline: undici request + rss-parser, no database', baseline.seconds, 's');
    let peer: { seconds: number; items: number } | null = null;
    if (args.peers) {
      const peerProcess = await startChild(sibling('peer-process'));
      peer = await peerProcess.call<{ seconds: number; items: number }>('run', urls);
      await peerProcess.close();
      record('rss-feed-emitter: every feed fetched and parsed once', peer.seconds, 's');
      record('rss-feed-emitter: items in its initial loads (of items served)', peer.items, `of ${totalItems}`);
    }

    record('RSS of the started service before the cycle', process.memoryUsage.rss() / 1024 / 1024, 'MB');
    const statements = args.statements && database.url ? await statementReport(db) : null;
    if (typeof statements === 'string') console.log(`  (${statements})`);
    else await statements?.reset();
    const rss = peakRssSampler();
    const coldCpu = cpu.start();
    let started = performance.now();
    await due();
    await service.pollNow();
    const cold = (performance.now() - started) / 1000;
    coldCpu.stop();
    const peak = rss.stop() / 1024 / 1024;
    const stored = await itemRows();
    record('cold cycle: fetch → parse → dedupe → store → render', cold, 's');
    // The database's share grows with its distance from the process: in-process PGlite is
    // single-threaded WebAssembly, so the embedded default gets the wider bound.
    const coldTarget = database.url ? 3 : 6;
    record('cold cycle / baseline', cold / baseline.seconds, '×', { text: `≤ ${coldTarget.toFixed(1)}`, met: cold / baseline.seconds <= coldTarget });
    const coldSplit = coldCpu.split();
    record(`cold cycle CPU: service (this process, its workers${database.url ? '' : ' and PGlite'})`, coldSplit.service, 's');
    if (database.url) record('cold cycle CPU: PostgreSQL', coldSplit.database, 's');
    record('cold cycle feeds/s', FEEDS / cold, 'feeds/s');
    record('cold cycle items/s', stored / cold, 'items/s');
    record('items stored (of items served)', stored, `of ${totalItems}`);
    // The bound is PostgreSQL's: the embedded database's own memory is in this process.
    if (database.url) record('peak RSS during the cold cycle', peak, 'MB', { text: '≤ 300', met: peak <= 300 });
    else record('peak RSS during the cold cycle (PGlite included)', peak, 'MB');
    if (statements && typeof statements !== 'string') console.log(await statements.report());
    if (peer) {
      // Higher is better for Tidings: the peer's time over ours.
      const peerRatio = peer.seconds / cold;
      record('rss-feed-emitter: its time / Tidings cold cycle', peerRatio, '×', { text: '≥ 2.0', met: peerRatio >= 2 });
    }

    console.log(`\nSteady state (CPU: ${cpu.note})`);

    const beforeWarm = (await served()).notModified;
    const lastChange = (await sql<{ t: Date }>`select max(changed_at) as t from items`.execute(db)).rows[0]!.t;
    await due();
    let cpuInterval = cpu.start();
    started = performance.now();
    await service.pollNow();
    const warm = (performance.now() - started) / 1000;
    const warmCpu = cpuInterval.stop();
    const notModified = (await served()).notModified - beforeWarm;
    const writtenWarm = Number((await sql<{ n: number }>`select count(*)::int as n from items where changed_at > ${lastChange}`.execute(db)).rows[0]!.n);
    record(`warm cycle (${notModified} of ${FEEDS} answered 304)`, warm, 's', { text: '≤ 1 s', met: warm <= 1 });
    record('item rows written by the warm cycle', writtenWarm, 'rows', { text: '0', met: writtenWarm === 0 });
    record(`warm cycle CPU (${cpu.covers})`, warmCpu, 's');
    record(`CPU-seconds per hour polling ${FEEDS} feeds every 10 minutes (warm cycles)`, warmCpu * 6, 's');

    const { urls: changedUrls } = await feedServer.call<{ urls: string[] }>('change', 10, 1);
    // The changed feeds fetched and parsed by the baseline before the cycle. Its plain GETs
    // leave the documents and their ETags as they are, so the cycle sees what it would have
    // seen; they add to the server's request counts, which nothing reads from here on.
    const changedBaseline = await baselineProcess.call<{ seconds: number }>('run', changedUrls, CONCURRENCY);
    await baselineProcess.close();
    await due();
    cpuInterval = cpu.start();
    started = performance.now();
    await service.pollNow();
    const tenPercent = (performance.now() - started) / 1000;
    const changedCpu = cpuInterval.stop();
    const writtenChanged = Number((await sql<{ n: number }>`select count(*)::int as n from items where changed_at > ${lastChange}`.execute(db)).rows[0]!.n);
    record(`cycle with 10% of feeds changed (${changedUrls.length} feeds)`, tenPercent, 's');
    record('item rows written by that cycle (1 new + 1 corrected per feed)', writtenChanged, 'rows');
    record('baseline: the changed feeds only, fetched and parsed', changedBaseline.seconds, 's');
    // Tidings polls every feed in that cycle (the other 90% answer 304); the issue weighs it
    // against what fetching and parsing the changes alone takes.
    const changedRatio = tenPercent / changedBaseline.seconds;
    record('10%-changed cycle / its baseline (fetch + parse of the changed feeds)', changedRatio, '×', { text: '≤ 2.0', met: changedRatio <= 2 });
    record(`10%-changed cycle CPU (${cpu.covers})`, changedCpu, 's');

    if (!args['ingest-only']) await servingAndScale(service, db);
  } finally {
    await service.stop();
    await feedServer.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  if (args['ingest-only']) return finish(totalItems, database.url);
  // Once the measured service has stopped: the default starts alone.
  console.log('\nIdle footprint of the default (the start script, embedded database, feeds.config.json)');
  const idle = await measureIdleFootprint(ROOT, Number(args['idle-settle-seconds']) * 1000);
  record(`idle RSS of \`npm start\` after its first poll (${idle.processes} process)`, idle.idleMb, 'MB', { text: '≤ 160', met: idle.idleMb <= 160 });
  record('peak RSS of `npm start` until then', idle.peakMb, 'MB');

  // In this process too, once the service has stopped: nothing else runs beside them.
  console.log('\nPure functions (linear in their input: watch the ratios)');
  for (const f of [...textSignatureFigures(), ...(await hostileParsingFigures(HOSTILE_BYTES))]) record(f.name, f.value, f.unit, f.target);

  finish(totalItems, database.url);
}

async function servingAndScale(service: Service, db: Service['context']['db']): Promise<void> {
  // Vacuumed first: Postgres' autovacuum would otherwise work through the freshly ingested
  // tables during the serving runs, on one of the two cores.
  await vacuumDatabase(db);
  await servingFigures(`${service.url}/topics/${TOPIC}/rss.xml`, { connections: CONNECTIONS, seconds: SERVE_SECONDS }, record);
  if (SCALE_ITEMS === 0) return;
  console.log(`\nScale: ${SCALE_ITEMS.toLocaleString('en')} stored items`);
  const fill = await fillItems(db, SCALE_ITEMS, TOPIC, new Date());
  record('generating them in the database', fill, 's');
  const regen = await timeRegeneration(service.context, TOPIC);
  record('regenerating the topic feed (3 formats, 50 entries)', regen, 'ms', { text: '≤ 100', met: regen <= 100 });
  const lookupBatch = await timeStoryLookup(db, 50);
  record('story look-up and assignment per new item (poll of 50)', lookupBatch, 'ms', { text: '≤ 2', met: lookupBatch <= 2 });
  const lookupOne = await timeStoryLookup(db, 1);
  record('story look-up and assignment for a lone new item', lookupOne, 'ms');
  const search = await timeSearches(db, TOPIC);
  const each = Object.entries(search.perQuery)
    .map(([q, ms]) => `${q} ${ms.toFixed(1)}`)
    .join('; ');
  console.log(`  search per query (ms): ${each}`);
  record('search in the topic feed (slowest of 4 queries, 50 results)', search.slowest, 'ms', { text: '≤ 50', met: search.slowest <= 50 });
}

function finish(totalItems: number, databaseUrl: string | null): void {
  const missed = figures.filter((f) => f.met === false);
  console.log(missed.length === 0 ? '\nEvery target met.' : `\nTargets missed: ${missed.map((f) => f.name).join('; ')}`);
  const out = path.resolve(args.out!);
  mkdirSync(path.dirname(out), { recursive: true });
  const results: BenchResults = {
    date: new Date().toISOString(),
    feeds: FEEDS,
    items: totalItems,
    database: databaseUrl ? 'postgres' : 'pglite',
    compiled: COMPILED,
    figures,
  };
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`Results written to ${path.relative(process.cwd(), out)}`);
}

await main();
// PGlite and worker threads can keep handles alive for a moment; the run is over.
process.exit(0);
