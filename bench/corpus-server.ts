/**
 * Child process of `npm run bench` (bench/child.ts): builds the seeded corpus and serves it
 * over HTTP with ETags and 304s, the stand-in for the outside world. Calls:
 * - start(feeds, seed) → the feed URLs and the number of items served;
 * - change(every, round) → republishes every `every`-th feed with one new and one corrected
 *   item, and gives their URLs;
 * - requests() → counts of requests, 304s and body bytes served.
 */
import { serveParent } from './child.ts';
import { buildCorpus, renderCorpusFeed, type CorpusFeed } from './corpus.ts';
import { startBenchFeedServer, type BenchFeedServer } from './feed-server.ts';

let server: BenchFeedServer;
let corpus: CorpusFeed[] = [];

const pathOf = (feed: CorpusFeed) => `/feeds/${feed.index}.${feed.format === 'rss' ? 'rss' : 'atom'}`;

function publish(feed: CorpusFeed): void {
  const path = pathOf(feed);
  server.set(path, renderCorpusFeed(feed, server.url(path)), feed.format === 'rss' ? 'application/rss+xml' : 'application/atom+xml');
}

/** A new item on top, and the former first item with a corrected title. */
function mutate(feed: CorpusFeed, round: number): CorpusFeed {
  const [first, ...rest] = feed.items;
  const fresh = {
    ...first!,
    guid: `${first!.guid}-new-${round}`,
    url: `${first!.url}-new-${round}`,
    title: `${first!.title} (update ${round})`,
    published: new Date(),
  };
  return { ...feed, items: [fresh, { ...first!, title: `${first!.title} (corrected)` }, ...rest] };
}

serveParent({
  async start(feeds: number, seed: number) {
    server = await startBenchFeedServer();
    corpus = buildCorpus({ feeds, seed });
    corpus.forEach(publish);
    return { urls: corpus.map((feed) => server.url(pathOf(feed))), items: corpus.reduce((n, f) => n + f.items.length, 0) };
  },
  change(every: number, round: number) {
    const changed = corpus.filter((feed) => feed.index % every === 0);
    for (const feed of changed) publish(mutate(feed, round));
    return { urls: changed.map((feed) => server.url(pathOf(feed))) };
  },
  requests: () => ({ ...server.requests }),
});
