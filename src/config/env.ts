/** The environment variables Tidings reads (ARCHITECTURE.md § Environment), read once. */
import path from 'node:path';
import { ConfigError } from '../errors.ts';

export interface Env {
  port: number;
  host: string;
  /** Postgres URL; null means the embedded PGlite database under dataDir. */
  databaseUrl: string | null;
  dataDir: string;
  feedsConfigPath: string;
  /** Null disables the admin API (it answers 503 saying how to enable it). */
  adminToken: string | null;
  /** Base of the self links in rendered feeds, without a trailing slash. */
  publicUrl: string;
  logLevel: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value.trim();
}

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const portText = nonEmpty(source.PORT) ?? '8080';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT: must be a port number from 0 to 65535, got "${portText}"`);
  }
  const host = nonEmpty(source.HOST) ?? '127.0.0.1';
  const logLevel = (nonEmpty(source.LOG_LEVEL) ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const databaseUrl = nonEmpty(source.DATABASE_URL);
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL: must be a postgres:// URL (unset it to use the embedded database)');
  }
  const publicUrl = nonEmpty(source.PUBLIC_URL) ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`PUBLIC_URL: must be an absolute URL like https://feeds.example.org, got "${publicUrl}"`);
  }
  return {
    port,
    host,
    databaseUrl,
    dataDir: path.resolve(nonEmpty(source.DATA_DIR) ?? './data'),
    feedsConfigPath: path.resolve(nonEmpty(source.FEEDS_CONFIG) ?? './feeds.config.json'),
    adminToken: nonEmpty(source.ADMIN_TOKEN),
    publicUrl: publicUrl.replace(/\/+$/, ''),
    logLevel,
  };
}
