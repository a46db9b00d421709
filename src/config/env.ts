/** The environment variables Tidings reads (docs/architecture.md § Environment), read once. */
import path from 'node:path';
import ipaddr from 'ipaddr.js';
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
  /**
   * Which peers are reverse proxies whose X-Forwarded-For names the client (fastify's
   * trustProxy): false (none, the default), true (every peer), or proxy addresses/ranges.
   */
  trustProxy: TrustProxy;
  /** Null: /metrics is public; else it needs `Authorization: Bearer <token>`. */
  metricsToken: string | null;
  /** Base of the self links in rendered feeds, without a trailing slash. */
  publicUrl: string;
  logLevel: string;
  /** LOG_FORMAT: `json` or `pretty`; null (unset) picks pretty lines at a terminal and JSON otherwise. */
  logFormat: LogFormat | null;
  /**
   * Postgres shared_buffers of the embedded database (EMBEDDED_SHARED_BUFFERS, e.g. 8MB):
   * the memory it keeps for table pages, most of the idle service's size. The default suits
   * the embedded database's users, tens of sources; hundreds belong on PostgreSQL, or raise
   * it (README § Memory).
   */
  embeddedSharedBuffers: string;
  /**
   * EMBEDDED_PROFILE: what the embedded database trades. `small` (default: a few dozen
   * sources, the embedded database's users) runs Postgres' WebAssembly on V8's baseline
   * compiler only, ~35 MB less resident and ~30% slower queries; `large` lets V8 optimize
   * it and sizes the shared buffers 128MB unless EMBEDDED_SHARED_BUFFERS says otherwise.
   */
  embeddedProfile: EmbeddedProfile;
  /**
   * Any other variable, read when asked (unset or empty: undefined): a source's password
   * lives in the variable its `auth.passwordEnv` names, read at each poll and never stored.
   * A function, not a copy of the environment, so that logging the Env shows no secret.
   */
  lookupVariable(name: string): string | undefined;
}

export type EmbeddedProfile = 'small' | 'large';

/** Each profile's shared buffers unless EMBEDDED_SHARED_BUFFERS says otherwise (src/db/embedded.ts says why small's are small). */
export const PROFILE_SHARED_BUFFERS: Record<EmbeddedProfile, string> = { small: '8MB', large: '128MB' };
export type TrustProxy = boolean | string[];

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** Names fastify's proxy-addr accepts for the usual ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const TRUST_PROXY_HELP =
  'use true (every peer is a trusted proxy), false, or a comma-separated list of proxy addresses and CIDR ranges such as 10.0.0.0/8,::1 (or loopback, linklocal, uniquelocal)';

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
  const logFormat = parseLogFormat(nonEmpty(source.LOG_FORMAT));
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
  const embeddedProfile = nonEmpty(source.EMBEDDED_PROFILE) ?? 'small';
  if (embeddedProfile !== 'small' && embeddedProfile !== 'large') {
    throw new ConfigError(
      `EMBEDDED_PROFILE: must be "small" (least memory, the default) or "large" (faster, for hundreds of sources), got "${embeddedProfile}"`,
    );
  }
  const embeddedSharedBuffers = (nonEmpty(source.EMBEDDED_SHARED_BUFFERS) ?? PROFILE_SHARED_BUFFERS[embeddedProfile]).replace(/\s+/g, '');
  const buffers = /^(\d+)(kB|MB|GB)$/.exec(embeddedSharedBuffers);
  const buffersKb = buffers ? Number(buffers[1]) * { kB: 1, MB: 1024, GB: 1024 * 1024 }[buffers[2] as 'kB' | 'MB' | 'GB'] : 0;
  if (buffersKb < 1024 || buffersKb > 4 * 1024 * 1024) {
    throw new ConfigError(`EMBEDDED_SHARED_BUFFERS: must be a size from 1MB to 4GB such as 16MB or 128MB (units kB, MB, GB), got "${embeddedSharedBuffers}"`);
  }
  return {
    port,
    host,
    databaseUrl,
    dataDir: path.resolve(nonEmpty(source.DATA_DIR) ?? './data'),
    feedsConfigPath: path.resolve(nonEmpty(source.FEEDS_CONFIG) ?? './feeds.config.json'),
    adminToken: nonEmpty(source.ADMIN_TOKEN),
    trustProxy: parseTrustProxy(nonEmpty(source.TRUST_PROXY)),
    metricsToken: nonEmpty(source.METRICS_TOKEN),
    publicUrl: publicUrl.replace(/\/+$/, ''),
    logLevel,
    logFormat,
    embeddedSharedBuffers,
    embeddedProfile,
    lookupVariable: (name) => (source[name] === '' ? undefined : source[name]),
  };
}

function parseLogFormat(text: string | null): LogFormat | null {
  if (text === null) return null;
  const format = LOG_FORMATS.find((name) => name === text.toLowerCase());
  if (format === undefined) {
    throw new ConfigError(`LOG_FORMAT: must be one of ${LOG_FORMATS.join(', ')} (unset: pretty at a terminal, JSON otherwise), got "${text}"`);
  }
  return format;
}

export function parseTrustProxy(text: string | null): TrustProxy {
  if (text === null || /^false$/i.test(text)) return false;
  if (/^true$/i.test(text)) return true;
  if (/^\d+$/.test(text)) {
    // fastify 5 treats a hop count as "trust nobody": it cannot tell a proxy from a client that says it is one.
    throw new ConfigError(`TRUST_PROXY: a number of hops is not supported (fastify cannot check that the peer is a proxy); ${TRUST_PROXY_HELP}`);
  }
  return text.split(',').map((raw) => {
    const entry = raw.trim();
    if (entry === '') throw new ConfigError(`TRUST_PROXY: an empty entry in "${text}"; ${TRUST_PROXY_HELP}`);
    if (!PROXY_RANGE_NAMES.includes(entry) && !isAddress(entry) && !isCidr(entry)) {
      throw new ConfigError(`TRUST_PROXY: "${entry}" is not an IP address or CIDR range; ${TRUST_PROXY_HELP}`);
    }
    return entry;
  });
}

/** A dotted-quad IPv4 or an IPv6 address (not ipaddr.js's looser forms such as "127.1"). */
function isAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
}

function isCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash === -1 || !isAddress(text.slice(0, slash))) return false;
  try {
    ipaddr.parseCIDR(text);
    return true;
  } catch {
    return false;
  }
}
