/** Child process of `npm run bench --peers`: rss-feed-emitter in a fresh process of its own (bench/child.ts). */
import { serveParent } from './child.ts';
import { timeRssFeedEmitter } from './peer.ts';

serveParent({ run: (urls: string[]) => timeRssFeedEmitter(urls) });
