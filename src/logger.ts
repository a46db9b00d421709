import { createRequire } from 'node:module';
import { isatty } from 'node:tty';
import { pino, type DestinationStream, type Logger } from 'pino';
import type pinoPrettyModule from 'pino-pretty';
import type { LogFormat } from './config/env.ts';

export type { Logger };

export interface LoggerOptions {
  /** 1: stdout (the service); 2: stderr (the CLI, so its tables on stdout stay clean). */
  fd?: 1 | 2;
  /** LOG_FORMAT; null or absent: pretty lines when the output is a terminal, JSON lines otherwise. */
  format?: LogFormat | null;
  /** Whether the output is a terminal (default: asks the fd); tests set it. */
  isTerminal?: boolean;
  /** Write here instead of the fd (tests). */
  stream?: NodeJS.WritableStream;
}

/** JSON lines for machines (a log collector, a file); readable lines for a person at a terminal. */
export function chooseLogFormat(format: LogFormat | null | undefined, isTerminal: boolean): LogFormat {
  return format ?? (isTerminal ? 'pretty' : 'json');
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const fd = options.fd ?? 1;
  const isTerminal = options.isTerminal ?? isatty(fd);
  const settings = { level, base: { service: 'tidings' } };
  if (chooseLogFormat(options.format, isTerminal) === 'json') {
    // stderr is written synchronously: a CLI command's last lines must not be lost when it exits.
    return pino(settings, options.stream ?? pino.destination({ fd, sync: fd === 2 }));
  }
  return pino(settings, prettyStream(fd, isTerminal, options.stream));
}

/**
 * One line per record: local time, level name, message, then the record's fields (source,
 * URL, outcome…) as compact JSON; an error's stack follows on its own lines. pino-pretty runs
 * as a stream in this thread, writing synchronously, rather than as a transport in a worker
 * thread, whose last lines can be lost when the process exits.
 */
function prettyStream(fd: 1 | 2, isTerminal: boolean, stream: NodeJS.WritableStream | undefined): DestinationStream {
  // Loaded only when asked for: a service logging JSON (under systemd, in Docker) never holds it.
  const pinoPretty = createRequire(import.meta.url)('pino-pretty') as typeof pinoPrettyModule;
  return pinoPretty({
    destination: stream ?? fd,
    sync: true,
    colorize: isTerminal && pinoPretty.isColorSupported,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    singleLine: true,
    ignore: 'pid,hostname,service',
  });
}
