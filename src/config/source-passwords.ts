/**
 * The start-up check of the config sources' passwords: each `auth.passwordEnv` must name a
 * variable set in the service's environment. Run where config sources are synced (`serve`,
 * `tidings config sync`), so a missing password stops start-up with the source and the
 * variable named, rather than every poll of the source failing later. Polls read the
 * variable again (src/ingest/source-credentials.ts): the password is never stored.
 */
import { ConfigError } from '../errors.ts';
import type { FeedsConfig } from './feeds-config.ts';

/** Looks a variable up in the process's environment; unset and empty both give undefined. */
export type LookupVariable = (name: string) => string | undefined;

/** One line per config source whose password variable is not set, naming the source and the variable. */
export function missingPasswordProblems(config: Pick<FeedsConfig, 'sources'>, lookup: LookupVariable): string[] {
  return config.sources.flatMap((source, i) =>
    source.auth !== undefined && lookup(source.auth.passwordEnv) === undefined
      ? [
          `sources[${i}].auth.passwordEnv (${source.url}): the environment variable ${source.auth.passwordEnv} is not set; the source's password is read from it`,
        ]
      : [],
  );
}

/** Throws a ConfigError listing every source whose password variable is missing; `origin` names the file. */
export function checkSourcePasswords(config: Pick<FeedsConfig, 'sources'>, lookup: LookupVariable, origin: string): void {
  const problems = missingPasswordProblems(config, lookup);
  if (problems.length === 0) return;
  const count = problems.length === 1 ? '1 source' : `${problems.length} sources`;
  throw new ConfigError(
    [...problems.map((problem) => `${origin}: ${problem}`), `(${count} without a password: set the variable where the service runs, or remove "auth")`].join(
      '\n',
    ),
  );
}
