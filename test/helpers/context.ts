/** Poll and render contexts wired to a test database and a fetcher that may reach 127.0.0.1. */
import { parseFeedsConfig } from '../../src/config/load-config.ts';
import type { FeedsConfig } from '../../src/config/feeds-config.ts';
import { compileTopics } from '../../src/ingest/classify.ts';
import { createFetcher, type Fetcher } from '../../src/ingest/fetch.ts';
import { readFeed } from '../../src/ingest/read-feed.ts';
import type { RefreshContext } from '../../src/ingest/refresh-source.ts';
import { createLogger } from '../../src/logger.ts';
import type { RegenerateContext } from '../../jobs/regenerate-feeds.ts';
import { storyGrouper } from '../../src/runtime.ts';
import { storyGrouping } from '../../src/dedupe/index.ts';
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

export interface TestContexts {
  refresh: RefreshContext;
  regenerate: RegenerateContext;
  fetcher: Fetcher;
  /** Moves the contexts' clock. */
  setNow(date: Date): void;
}

export function testContexts(database: TestDatabase, config: FeedsConfig, publicUrl = 'http://tidings.test'): TestContexts {
  let now = new Date();
  const clock = () => now;
  const fetcher = createFetcher({
    timeoutMs: config.polling.timeoutMs,
    maxBytes: config.polling.maxBytes,
    userAgent: 'Tidings-test',
    allowPrivateNetworks: config.polling.allowPrivateNetworks,
    concurrency: config.polling.concurrency,
    perHost: config.polling.perHost,
  });
  return {
    fetcher,
    refresh: { db: database.db, fetcher, readFeed, polling: config.polling, topics: compileTopics(config.topics), stories: storyGrouper(database.db, storyGrouping(config.dedupe), clock, silentLog), log: silentLog, owner: 'test', now: clock },
    regenerate: {
      db: database.db,
      topics: config.topics.map((t) => ({ slug: t.slug, title: t.title, description: t.description })),
      publicUrl,
      log: silentLog,
      now: clock,
    },
    setNow: (date) => {
      now = date;
    },
  };
}
