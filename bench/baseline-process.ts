/** Child process of `npm run bench`: the ingest baseline in a fresh process of its own (bench/child.ts). */
import { fetchAndParseBaseline } from './baseline.ts';
import { serveParent } from './child.ts';

serveParent({ run: (urls: string[], concurrency: number) => fetchAndParseBaseline(urls, concurrency) });
