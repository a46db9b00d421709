import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines (pino), on stdout by default; the CLI logs to stderr (fd 2) so its tables stay clean. */
export function createLogger(level: string, fd: 1 | 2 = 1): Logger {
  return pino({ level, base: { service: 'tidings' } }, pino.destination({ fd, sync: fd === 2 }));
}
