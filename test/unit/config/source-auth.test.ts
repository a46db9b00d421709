/**
 * A source's `auth` in feeds.config.json: the shapes refused (with messages that never show a
 * value that may be a password), and the start-up check that names a missing variable.
 */
import { describe, expect, it } from 'vitest';
import { parseFeedsConfig } from '../../../src/config/load-config.ts';
import { checkSourcePasswords } from '../../../src/config/source-passwords.ts';
import { ConfigError } from '../../../src/errors.ts';

const URL = 'https://private.example/feed';
const SECRET = 'hunter2-correct-horse';

function problemLines(auth: unknown): string[] {
  try {
    parseFeedsConfig({ sources: [{ url: URL, auth }] }, 'feeds.config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message.split('\n').slice(0, -1);
  }
  throw new Error('expected the config to be rejected');
}

describe('source auth in feeds.config.json', () => {
  it('reads a user name and the name of the password variable', () => {
    const config = parseFeedsConfig({ sources: [{ url: URL, auth: { username: 'reader', passwordEnv: 'PRIVATE_FEED_PASSWORD' } }] }, 'x.json');
    expect(config.sources[0]!.auth).toEqual({ username: 'reader', passwordEnv: 'PRIVATE_FEED_PASSWORD' });
  });

  it('requires both fields', () => {
    expect(problemLines({ username: 'reader' })).toEqual([`feeds.config.json: sources[0].auth.passwordEnv (${URL}): is required`]);
    expect(problemLines({ passwordEnv: 'PW' })).toEqual([`feeds.config.json: sources[0].auth.username (${URL}): is required`]);
  });

  it('refuses a user name with a colon, which HTTP Basic cannot carry', () => {
    expect(problemLines({ username: 'a:b', passwordEnv: 'PW' })).toEqual([
      `feeds.config.json: sources[0].auth.username (${URL}): "a:b" must not contain ":" (HTTP Basic puts a colon between user name and password)`,
    ]);
  });

  it('refuses a passwordEnv that is not a variable name, without showing it', () => {
    const lines = problemLines({ username: 'reader', passwordEnv: SECRET });
    expect(lines).toEqual([
      `feeds.config.json: sources[0].auth.passwordEnv (${URL}): must be the name of an environment variable, like "FEED_PASSWORD" (letters, digits and underscores)`,
    ]);
  });

  it('refuses a password in the file, saying where it goes, without showing it', () => {
    const lines = problemLines({ username: 'reader', passwordEnv: 'PW', password: SECRET });
    expect(lines).toEqual([
      `feeds.config.json: sources[0].auth (${URL}): a password never goes in the file: set it in an environment variable and give that variable's name as "passwordEnv"`,
    ]);
  });

  it('refuses credentials written as a string, without showing them', () => {
    expect(problemLines(`reader:${SECRET}`)).toEqual([`feeds.config.json: sources[0].auth (${URL}): must be an object { … }`]);
  });

  it('names an unknown field of auth', () => {
    expect(problemLines({ username: 'reader', passwordEnv: 'PW', realm: 'x' })).toEqual([
      `feeds.config.json: sources[0].auth (${URL}): unknown field "realm"; the fields here are username, passwordEnv`,
    ]);
  });
});

describe('the start-up check of password variables', () => {
  const config = parseFeedsConfig(
    { sources: [{ url: 'https://open.example/feed' }, { url: URL, auth: { username: 'reader', passwordEnv: 'PRIVATE_FEED_PASSWORD' } }] },
    'feeds.config.json',
  );

  it('names the source and the variable when the variable is not set', () => {
    expect(() => checkSourcePasswords(config, () => undefined, 'feeds.config.json')).toThrow(ConfigError);
    expect(() => checkSourcePasswords(config, () => undefined, 'feeds.config.json')).toThrow(
      `feeds.config.json: sources[1].auth.passwordEnv (${URL}): the environment variable PRIVATE_FEED_PASSWORD is not set; the source's password is read from it`,
    );
  });

  it('passes when the variable is set', () => {
    expect(() => checkSourcePasswords(config, (name) => (name === 'PRIVATE_FEED_PASSWORD' ? SECRET : undefined), 'feeds.config.json')).not.toThrow();
  });
});
