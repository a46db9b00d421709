#!/usr/bin/env node
// The `tidings` command: the compiled service when `npm run build` is current, else the
// TypeScript sources through tsx (bin/entry.mjs), so a checkout works after `npm ci` alone.
import { importService } from './entry.mjs';

const { main } = await importService('src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
