/** The environment variables Tidings reads, as readEnv asks for them (a proxy records each name). */
import { readEnv } from '../../src/config/env.ts';

export function variablesReadEnvReads(): Set<string> {
  const names = new Set<string>();
  const recorder = new Proxy(
    {},
    {
      get: (_target, name) => {
        if (typeof name === 'string') names.add(name);
        return undefined;
      },
    },
  );
  readEnv(recorder);
  return names;
}
