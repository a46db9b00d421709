/** What every `tidings` subcommand shares: where it prints, how it fails, how it opens the service. */
import type { AdminApi } from '../admin/api.ts';
import type { AppContext, AppContextOptions, FetcherTestHooks } from '../app-context.ts';
import type { FeedsConfig } from '../config/feeds-config.ts';

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export const NO_SOURCES =
  'No sources. Add some to feeds.config.json (loaded when the service starts, or by `tidings config sync`), or with `tidings sources add URL`.';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const defaultIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** What tests and the simulation inject: the clock and the fetcher's test hooks. */
export interface CliDeps {
  now?: () => Date;
  fetcherHooks?: FetcherTestHooks;
}

/**
 * Opens the app context with the admin use-cases over it: what the admin commands run. Built
 * in cli.ts, which hands the jobs down (src/ reaches jobs/ only from main.ts and cli.ts).
 */
export type OpenAdmin = (config: FeedsConfig, options?: Pick<AppContextOptions, 'migrate' | 'syncConfig'>) => Promise<{ ctx: AppContext; api: AdminApi }>;
