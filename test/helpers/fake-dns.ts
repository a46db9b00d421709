/** A dns.lookup stand-in for the fetcher: answers from a table (or a rule), so tests name hosts that do not exist. */
import type { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';

export function fakeLookup(table: Record<string, string> | ((hostname: string) => string | undefined)): typeof dnsLookup {
  const resolve = typeof table === 'function' ? table : (hostname: string) => table[hostname];
  return ((hostname: string, options: unknown, callback?: (...args: unknown[]) => void) => {
    const cb = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    const address = resolve(hostname);
    if (address === undefined) {
      const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname });
      process.nextTick(cb, error);
      return;
    }
    const family = isIP(address);
    if (all) process.nextTick(cb, null, [{ address, family }]);
    else process.nextTick(cb, null, address, family);
  }) as unknown as typeof dnsLookup;
}
