/** The fetcher's options, checked once and turned into the values every part of it reads. */
import { lookup as dnsLookup } from 'node:dns';
import type { AddressPolicy } from './address-guard.ts';
import type { FetcherOptions } from './types.ts';

const DEFAULT_MAX_REDIRECTS = 5;
/** Upper bound for the connect, headers and body-idle timeouts. */
const MAX_PHASE_TIMEOUT_MS = 10_000;

export interface Settings {
  timeoutMs: number;
  phaseTimeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  lookup: typeof dnsLookup;
  policy: AddressPolicy;
}

export function resolveSettings(options: FetcherOptions): Settings {
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  for (const [name, value] of [
    ['timeoutMs', options.timeoutMs],
    ['maxBytes', options.maxBytes],
  ] as const) {
    if (!(Number.isSafeInteger(value) && value > 0)) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  if (!(Number.isInteger(maxRedirects) && maxRedirects >= 0)) {
    throw new RangeError(`maxRedirects must be a non-negative integer, got ${maxRedirects}`);
  }
  return {
    timeoutMs: options.timeoutMs,
    phaseTimeoutMs: Math.min(MAX_PHASE_TIMEOUT_MS, options.timeoutMs),
    maxBytes: options.maxBytes,
    maxRedirects,
    userAgent: options.userAgent,
    lookup: options.lookup ?? dnsLookup,
    policy: { allowPrivateNetworks: options.allowPrivateNetworks, isAllowedAddress: options.isAllowedAddress },
  };
}
