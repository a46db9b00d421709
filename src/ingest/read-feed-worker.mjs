// Entry of a read-feed worker thread. Loader hooks registered in the main thread do not
// reach worker threads on Node 20, so the worker registers tsx itself before loading
// the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./read-feed-worker.ts');
