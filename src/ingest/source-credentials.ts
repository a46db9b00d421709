/**
 * The HTTP Basic credentials one poll of a source sends. The row holds the user name, the
 * name of the variable with the password and the origin they belong to; the password is
 * read from the environment now, at each poll, and lives only in the request.
 */
import type { Source } from '../db/schema.ts';
import { FeedError } from '../errors.ts';
import type { BasicCredentials } from './fetch/index.ts';

type AuthColumns = Pick<Source, 'auth_username' | 'auth_password_env' | 'auth_origin'>;

/** Undefined for a source without auth; FeedError('missing_credentials') when its variable is not set. */
export function sourceCredentials(source: AuthColumns, lookupVariable: (name: string) => string | undefined): BasicCredentials | undefined {
  const { auth_username: username, auth_password_env: variable, auth_origin: origin } = source;
  if (username === null || variable === null || origin === null) return undefined;
  const password = lookupVariable(variable);
  if (password === undefined) {
    // Start-up checks the config sources' variables (src/config/source-passwords.ts); a command
    // run in another environment, or a variable unset since, ends here: say which one.
    throw new FeedError(
      'missing_credentials',
      `the environment variable ${variable} (auth.passwordEnv) is not set in this process, so the feed was not fetched: set it where Tidings runs`,
    );
  }
  return { username, password, origin };
}
