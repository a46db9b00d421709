/**
 * `npm run demo`: Tidings on bundled sample feeds, no network needed.
 *
 * Starts the fixture feed server (scripts/demo-feed-server.ts) on 127.0.0.1, writes a demo
 * feeds config pointing at it (the korea topic from ./feeds.config.json plus a world topic),
 * then runs the real service with serve() on the embedded database in ./data/demo (always:
 * DATABASE_URL is ignored, so the demo never touches a real deployment's sources), on
 * PORT/HOST from the environment. Ctrl-C stops both servers.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEnv } from '../src/config/env.ts';
import { parseFeedsConfig } from '../src/config/load-config.ts';
import { createLogger } from '../src/logger.ts';
import { serve, type Service } from '../src/main.ts';
import { demoBanner } from './demo-banner.ts';
import { buildDemoFeedsConfig, startDemoFeedServer, type DemoFeedServer } from './demo-feed-server.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEMO_DATA_DIR = path.join(REPO_ROOT, 'data', 'demo');
const DEMO_CONFIG_FILE = path.join(DEMO_DATA_DIR, 'feeds.config.json');
/** Remembers the feed server's port, so the sources' URLs (and their stored items) survive a restart. */
const FEED_SERVER_STATE_FILE = path.join(DEMO_DATA_DIR, 'feed-server.json');
/** If something keeps the event loop alive after a clean stop, don't hang the terminal. */
const EXIT_GRACE_MS = 5_000;

/** The korea topic exactly as the project's own feeds.config.json defines it. */
function readKoreaTopic(): unknown {
  const file = path.join(REPO_ROOT, 'feeds.config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as { topics?: Array<{ slug?: string }> };
  const korea = config.topics?.find((topic) => topic.slug === 'korea');
  if (korea === undefined) throw new Error(`${file} has no topic with slug "korea"; the demo shows that topic`);
  return korea;
}

function readSavedPort(): number {
  try {
    const { port } = JSON.parse(readFileSync(FEED_SERVER_STATE_FILE, 'utf8')) as { port?: unknown };
    return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : 0;
  } catch {
    return 0;
  }
}

function relative(file: string): string {
  return path.relative(process.cwd(), file) || '.';
}

function printBanner(service: Service, feedServer: DemoFeedServer, adminEnabled: boolean): void {
  const banner = demoBanner({
    serviceUrl: service.url,
    feedServerUrl: feedServer.url,
    feedCount: feedServer.feeds.length,
    adminEnabled,
    envPrefix: `DATA_DIR=${relative(DEMO_DATA_DIR)} FEEDS_CONFIG=${relative(DEMO_CONFIG_FILE)}`,
    configFile: relative(DEMO_CONFIG_FILE),
  });
  process.stdout.write(banner);
}

async function main(): Promise<void> {
  mkdirSync(DEMO_DATA_DIR, { recursive: true });
  const env = readEnv({ ...process.env, DATABASE_URL: '', DATA_DIR: DEMO_DATA_DIR, FEEDS_CONFIG: DEMO_CONFIG_FILE });
  const log = createLogger(env.logLevel);

  const feedLog = log.child({ component: 'demo-feeds' });
  const feedServer = await startDemoFeedServer({ preferredPort: readSavedPort(), log: (line) => feedLog.info(line) });
  let service: Service;
  try {
    writeFileSync(FEED_SERVER_STATE_FILE, `${JSON.stringify({ port: feedServer.port })}\n`);
    const configJson = buildDemoFeedsConfig(feedServer.feeds, readKoreaTopic());
    writeFileSync(DEMO_CONFIG_FILE, `${JSON.stringify(configJson, null, 2)}\n`);
    const config = parseFeedsConfig(configJson, DEMO_CONFIG_FILE);
    // Signals are handled here, so both servers stop in order.
    service = await serve(env, config, log, { handleSignals: false });
  } catch (error) {
    await feedServer.close();
    throw error;
  }
  printBanner(service, feedServer, env.adminToken !== null);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`\n${signal} again: exiting without waiting\n`);
      process.exit(130);
    }
    stopping = true;
    process.stderr.write('\nStopping the demo…\n');
    void service.stop();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  await service.stopped;
  await feedServer.close();
  setTimeout(() => process.exit(process.exitCode ?? 0), EXIT_GRACE_MS).unref();
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`demo: ${message}\n`);
  if (/cannot listen/.test(message)) process.stderr.write('demo: set PORT to a free port, e.g. PORT=8181 npm run demo\n');
  process.exit(1);
});
