/**
 * Whether an error means the database cannot be reached right now (down, restarting, out of
 * connections), as opposed to a fault in a query. Such errors are the database's state, not
 * a bug: requests answer 503 with the reason, like /readyz, instead of a 500.
 */

/** Socket errors while connecting to, or talking with, the server. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of an unavailable server (PostgreSQL Appendix A): class 08 (connection
 * exception), 57P01–57P03 (shutting down, crashed, not accepting connections yet) and 53300
 * (too many connections).
 */
const UNAVAILABLE_STATES: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03', '53300']);

/** node-postgres reports a lost connection by message only. */
const LOST_CONNECTION =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed and is not queryable/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08'))) return true;
    if (LOST_CONNECTION.test(current.message)) return true;
    // AggregateError (a connection attempt to several addresses): unavailable if any part is.
    if (current instanceof AggregateError && current.errors.some((part) => isDatabaseUnavailable(part))) return true;
  }
  return false;
}

export const DATABASE_UNAVAILABLE_MESSAGE = 'the database is unreachable right now; try again shortly (GET /readyz says when it is back)';
