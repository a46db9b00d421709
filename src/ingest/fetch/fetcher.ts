/** createFetcher: one keep-alive agent and the concurrency caps around each request chain. */
import { FeedError } from '../../errors.ts';
import { createKeyedSemaphore, createSemaphore } from '../concurrency.ts';
import { createAgent } from './guarded-agent.ts';
import { fetchChain } from './request-chain.ts';
import { resolveSettings } from './settings.ts';
import type { Fetcher, FetcherOptions, FetchRequest, FetchResult } from './types.ts';

export function createFetcher(options: FetcherOptions): Fetcher {
  const settings = resolveSettings(options);
  const agent = createAgent(settings);
  const globalSlots = createSemaphore(options.concurrency);
  const hostSlots = createKeyedSemaphore(options.perHost);

  async function fetchFeed(req: FetchRequest): Promise<FetchResult> {
    const url = parseRequestUrl(req.url);
    // Per-host first, then global: a request waiting for a busy host must not sit
    // on a global slot that requests to other hosts could use.
    const releaseHost = await hostSlots.acquire(url.hostname, req.signal);
    try {
      const releaseGlobal = await globalSlots.acquire(req.signal);
      try {
        return await fetchChain(agent, settings, url, req);
      } finally {
        releaseGlobal();
      }
    } finally {
      releaseHost();
    }
  }

  return {
    fetchFeed,
    close: () => agent.close(),
  };
}

function parseRequestUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FeedError('network_error', `not a valid URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FeedError('network_error', `cannot fetch ${raw}: only http and https URLs are supported`);
  }
  return url;
}
