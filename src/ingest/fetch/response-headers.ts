import type { ResponseHeaders } from './cache-headers.ts';

/** The first value of a response header, or null when it is absent. */
export function firstHeader(headers: ResponseHeaders, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** Every value of a response header (a header sent several times, e.g. Link), [] when absent. */
export function allHeaders(headers: ResponseHeaders, name: string): string[] {
  const value = headers[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
