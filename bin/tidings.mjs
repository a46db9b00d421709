#!/usr/bin/env -S node --max-semi-space-size=4
// --max-semi-space-size=4 (here, in `npm start` and in the Dockerfile's CMD): V8's default
// young generation (16 MB semi-spaces, per thread) lets a poll cycle's garbage pile up to
// ~80 MB more peak RSS; with 4 MB the 1,000-feed bench cycle peaks ~285 MB instead of ~335,
// at the same speed (README § Benchmark). A flag must be given at start-up: V8 sizes the heap then.
// The `tidings` command: the compiled service when `npm run build` is current, else the
// TypeScript sources through tsx (bin/entry.mjs), so a checkout works after `npm ci` alone.
import { importService } from './entry.mjs';

const { main } = await importService('src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
