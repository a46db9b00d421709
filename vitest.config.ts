import { defineConfig } from 'vitest/config';
import LongTestsFirst from './test/helpers/long-tests-first.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more workers only add contention (PGlite is single-threaded WASM).
    maxWorkers: 2,
    sequence: { sequencer: LongTestsFirst },
  },
});
