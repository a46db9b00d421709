// Run by read-feed-pool.test.ts in a process of its own: a parser worker runs out of memory
// and the pool goes on. The service's code as `npm start` runs it (bin/entry.mjs: the build
// when current). Under tsx, the worker's TypeScript loader also runs under the worker's
// 16 MB heap limit, and Node then aborts the whole process instead of the worker
// (nodejs/node#47224): this process says which code it ran, and the test skips that case.
import { compiledIsCurrent, importService } from '../../bin/entry.mjs';

const compiled = compiledIsCurrent();
const { createReadFeedPool } = await importService('src/ingest/read-feed-pool.ts');
const { FeedError } = await importService('src/errors.ts');
console.log(JSON.stringify({ compiled }));
const bytes = (text) => new TextEncoder().encode(text);
const feed =
  '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><item><guid>a</guid><title>North Korea</title></item><item><guid>b</guid><title>북한</title></item></channel></rss>';
const tiny = createReadFeedPool({ size: 1, maxHeapMb: 16 });
try {
  const items = Array.from({ length: 40_000 }, (_, i) => `<item><guid>${i}</guid><title>${'y'.repeat(500)}</title></item>`).join('');
  const huge = `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>${items}</channel></rss>`;
  const error = await tiny.readFeed(bytes(huge), null, 'https://x.example/').catch((e) => e);
  const after = await tiny.readFeed(bytes(feed), null, 'https://wire.example/feed');
  console.log(JSON.stringify({ code: error instanceof FeedError ? error.code : String(error), itemsAfter: after.feed.items.length }));
} finally {
  await tiny.close();
}
