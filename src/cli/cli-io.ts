/** What every `tidings` subcommand shares: where it prints, how it fails, how it opens the service. */
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

/** Opens the app context the way the command asked (read-only commands skip migration). */
export type OpenContext = (config: FeedsConfig, options?: Pick<AppContextOptions, 'migrate' | 'syncConfig'>) => Promise<AppContext>;
