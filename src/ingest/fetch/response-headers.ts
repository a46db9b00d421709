import type { ResponseHeaders } from './cache-headers.ts';

/** The first value of a response header, or null when it is absent. */
export function firstHeader(headers: ResponseHeaders, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}
