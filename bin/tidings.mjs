#!/usr/bin/env node
// The `tidings` command. Tidings runs its TypeScript sources directly through tsx's
// loader, so a checkout works after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
