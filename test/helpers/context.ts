/** The app context on a test database, with a fetcher that may reach 127.0.0.1 and a clock the test moves. */
import { buildAppContext, type AppContext } from '../../src/app-context.ts';
import { readEnv } from '../../src/config/env.ts';
import { parseFeedsConfig } from '../../src/config/load-config.ts';
import type { FeedsConfig } from '../../src/config/feeds-config.ts';
import { readFeed } from '../../src/ingest/read-feed.ts';
import type { ReadFeed } from '../../src/ingest/refresh-source.ts';
import { createLogger } from '../../src/logger.ts';
import type { TestDatabase } from './database.ts';

export const silentLog = createLogger('silent');

export function testConfig(overrides: Record<string, unknown> = {}): FeedsConfig {
  return parseFeedsConfig(
    {
      topics: [{ slug: 'korea', title: 'Korea', description: 'Korean Peninsula news', include: ['north korea', 'seoul', '북한'] }],
      polling: { timeoutMs: 2000, maxBytes: 1024 * 1024, allowPrivateNetworks: true, concurrency: 4, perHost: 4 },
      ...overrides,
    },
    'test config',
  );
}

export interface TestContext extends AppContext {
  /** Moves the context's clock. */
  setNow(date: Date): void;
}

export interface TestContextOptions {
  publicUrl?: string;
  /** Lease owner name (a second poller in the same test gets another). */
  owner?: string;
  /** Take per-host slots through the database, as `serve` does (default: the fetcher's cap only). */
  hostGate?: boolean;
  /** Reads fetched documents (default: readFeed in this thread). */
  readFeed?: ReadFeed;
}

/**
 * The same wiring as `serve` and the CLI (buildAppContext) on the test's database: parsing
 * in this thread, no database host gate unless asked. Closing it closes the fetcher only;
 * the test closes its database.
 */
export function testContext(database: TestDatabase, config: FeedsConfig, options: TestContextOptions = {}): TestContext {
  let now = new Date();
  const env = { ...readEnv({}), publicUrl: options.publicUrl ?? 'http://tidings.test' };
  const ctx = buildAppContext(
    env,
    config,
    { ...database, close: async () => {} },
    {
      log: silentLog,
      now: () => now,
      readFeed: options.readFeed ?? readFeed,
      hostGate: options.hostGate ? undefined : false,
      owner: options.owner ?? 'test',
    },
  );
  return Object.assign(ctx, {
    setNow: (date: Date) => {
      now = date;
    },
  });
}
