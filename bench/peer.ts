/**
 * A peer measured in the same run (`--peers`): rss-feed-emitter, a Node feed aggregator
 * (request + feedparser, items kept in memory), given every corpus feed with its own
 * defaults otherwise (every feed fetched at once). Timed from adding the feeds until each
 * has been fetched and parsed and its items emitted: it emits `new-item` for each item of
 * a feed's first load, then `initial-load:<url>` with the feed's items, once per feed.
 * Its refresh interval is a day, so within the run it polls each feed once.
 */
import type { EventEmitter } from 'node:events';
import RssFeedEmitter from 'rss-feed-emitter';

const REFRESH_MS = 24 * 3_600_000;
const TIMEOUT_MS = 15 * 60_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Its type declarations leave out the EventEmitter it extends. */
type Feeder = EventEmitter & { add(config: { url: string[]; refresh: number }): unknown; destroy(): void };

export async function timeRssFeedEmitter(urls: string[]): Promise<{ seconds: number; items: number }> {
  for (const url of urls) if (!LOOPBACK.has(new URL(url).hostname)) throw new Error(`the peer fetches the local corpus only, not ${url}`);
  // request, its HTTP client, honours the proxy variables: the corpus is fetched on loopback,
  // never through a proxy.
  for (const name of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy']) delete process.env[name];
  const feeder = new RssFeedEmitter({ skipFirstLoad: false }) as unknown as Feeder;
  const pending = new Set(urls);
  let items = 0;
  const loaded = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`rss-feed-emitter: ${pending.size} of ${urls.length} feeds not loaded after ${TIMEOUT_MS / 1000} s`)),
      TIMEOUT_MS,
    );
    // A feed it cannot fetch or parse never emits its initial load: fail the run, do not wait.
    feeder.on('error', (error: Error) => {
      clearTimeout(timer);
      reject(new Error(`rss-feed-emitter: ${error.message}`));
    });
    for (const url of urls)
      feeder.on(`initial-load:${url}`, (load: { items: unknown[] }) => {
        if (!pending.delete(url)) return;
        items += load.items.length;
        if (pending.size > 0) return;
        clearTimeout(timer);
        resolve();
      });
  });
  const started = performance.now();
  feeder.add({ url: urls, refresh: REFRESH_MS });
  await loaded;
  const seconds = (performance.now() - started) / 1000;
  feeder.destroy();
  return { seconds, items };
}
