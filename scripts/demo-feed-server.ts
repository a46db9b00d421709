/**
 * The offline demo's fixture feed server: five fictional outlets (demo/feeds/) served from
 * 127.0.0.1, with dates rendered relative to start-up so the feeds look fresh, the Korean
 * outlet encoded in real EUC-KR, and ETag / Last-Modified with 304 answers so Tidings'
 * conditional GET can be seen working. scripts/demo.ts starts it in front of Tidings;
 * test/integration/demo-feeds.test.ts starts it alone.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';

export const DEMO_FEEDS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../demo/feeds');

/** One sample outlet: a template in demo/feeds/ and how it is served. */
export interface DemoFeed {
  /** Path on the demo server. */
  path: string;
  /** Template file in demo/feeds/ (always UTF-8 on disk). */
  file: string;
  title: string;
  contentType: string;
  /** Encoding of the served bytes. */
  encoding: 'utf-8' | 'euc-kr';
  /** Topics the demo's Tidings config assigns to the source. */
  topics: string[];
}

export const DEMO_FEEDS: readonly DemoFeed[] = [
  {
    path: '/pacific-wire/rss.xml',
    file: 'pacific-wire.rss.xml',
    title: 'Pacific Wire Service',
    contentType: 'application/rss+xml; charset=utf-8',
    encoding: 'utf-8',
    topics: ['world'],
  },
  {
    path: '/seoul-morning-post/atom.xml',
    file: 'seoul-morning-post.atom.xml',
    title: 'The Seoul Morning Post',
    contentType: 'application/atom+xml; charset=utf-8',
    encoding: 'utf-8',
    topics: ['korea'],
  },
  {
    path: '/hanbando-ilbo/rss.xml',
    file: 'hanbando-ilbo.rss.xml',
    title: '한반도일보 (Hanbando Ilbo)',
    contentType: 'application/rss+xml; charset=euc-kr',
    encoding: 'euc-kr',
    topics: ['korea'],
  },
  {
    path: '/parallel-watch/feed/',
    file: 'parallel-watch.rss.xml',
    title: 'Parallel Watch',
    // WordPress spells it this way.
    contentType: 'application/rss+xml; charset=UTF-8',
    encoding: 'utf-8',
    topics: ['korea'],
  },
  {
    path: '/globe-dispatch/world.xml',
    file: 'globe-dispatch.rss.xml',
    title: 'Globe Dispatch',
    // No charset parameter: the reader must take it from the XML declaration.
    contentType: 'application/xml',
    encoding: 'utf-8',
    topics: ['world'],
  },
];

/** A feed as served: its rendered bytes and validators. */
export interface ServedFeed extends DemoFeed {
  url: string;
  body: Buffer;
  /** Strong validator: a hash of the body, quoted (RFC 9110 §8.8.3). */
  etag: string;
}

export interface DemoFeedServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  feeds: ServedFeed[];
  close(): Promise<void>;
}

export interface DemoFeedServerOptions {
  host?: string;
  /** Port to try first (e.g. the one used last time, so source URLs stay stable); 0 or unset: a random free port. */
  preferredPort?: number;
  /** The "now" the feed dates are relative to (default: the current minute). */
  now?: Date;
  /** Called with one line per request, e.g. `GET /pacific-wire/rss.xml 304`. */
  log?: (line: string) => void;
}

// --- Templates -------------------------------------------------------------------------

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const KST_OFFSET_MS = 9 * 3600_000;

const pad = (n: number): string => String(n).padStart(2, '0');

/** RFC 822 / RFC 1123 date as RSS 2.0 wants it, at a fixed offset from UTC. */
function formatRfc822(date: Date, offsetMs: number, zone: string): string {
  const d = new Date(date.getTime() + offsetMs);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time} ${zone}`;
}

/** RFC 3339 date as Atom wants it, at a fixed offset from UTC. */
function formatRfc3339(date: Date, offsetMs: number, zone: string): string {
  const d = new Date(date.getTime() + offsetMs);
  return `${d.toISOString().slice(0, 19)}${zone}`;
}

const DATE_FORMATS: Record<string, (date: Date) => string> = {
  rfc822: (d) => formatRfc822(d, 0, 'GMT'),
  rfc822kst: (d) => formatRfc822(d, KST_OFFSET_MS, '+0900'),
  rfc3339: (d) => formatRfc3339(d, 0, 'Z'),
  rfc3339kst: (d) => formatRfc3339(d, KST_OFFSET_MS, '+09:00'),
};

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000 };

/** "-1d2h30m" → milliseconds (negative: in the past). */
function parseOffset(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([dhm])/g)) total += Number(amount) * UNIT_MS[unit!]!;
  return sign * total;
}

const PLACEHOLDER = /\{\{\s*([a-z0-9]+)\s+([+-]?(?:\d+[dhm])+)\s*\}\}/g;

/**
 * Replaces `{{rfc822 -40m}}`, `{{rfc822kst -1d2h}}`, `{{rfc3339 -3h}}`, `{{rfc3339kst -25m}}`
 * with `now` plus the offset in that format. An unknown or malformed placeholder throws, so a
 * typo in a sample feed fails loudly instead of shipping `{{…}}` to the reader.
 */
export function renderFeedTemplate(template: string, now: Date): string {
  const rendered = template.replace(PLACEHOLDER, (whole, format: string, offset: string) => {
    const formatDate = DATE_FORMATS[format];
    if (formatDate === undefined) throw new Error(`unknown date format in placeholder ${whole}`);
    return formatDate(new Date(now.getTime() + parseOffset(offset)));
  });
  const leftover = /\{\{[^}]*\}\}/.exec(rendered);
  if (leftover !== null) throw new Error(`malformed placeholder ${leftover[0]}`);
  return rendered;
}

/**
 * True when every non-ASCII byte pair is a KS X 1001 code (both bytes 0xA1–0xFE): strict
 * EUC-KR. iconv-lite's "euc-kr" is really CP949, which would silently use its extension
 * for syllables such as 똠, and a strict EUC-KR decoder would then fail.
 */
function isStrictEucKr(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! < 0x80) continue;
    const trail = bytes[i + 1];
    if (bytes[i]! < 0xa1 || bytes[i] === 0xff || trail === undefined || trail < 0xa1 || trail === 0xff) return false;
    i++;
  }
  return true;
}

/** Encodes a rendered feed, refusing characters the target charset cannot represent (iconv-lite would write "?"). */
export function encodeFeed(text: string, encoding: DemoFeed['encoding']): Buffer {
  if (encoding === 'utf-8') return Buffer.from(text, 'utf8');
  const bytes = iconv.encode(text, encoding);
  if (iconv.decode(bytes, encoding) !== text || !isStrictEucKr(bytes)) {
    throw new Error(`the sample feed contains characters that ${encoding} cannot encode (EUC-KR has only the 2,350 KS X 1001 Hangul syllables)`);
  }
  return bytes;
}

function renderFeed(feed: DemoFeed, now: Date, baseUrl: string): ServedFeed {
  const template = readFileSync(path.join(DEMO_FEEDS_DIR, feed.file), 'utf8');
  const body = encodeFeed(renderFeedTemplate(template, now), feed.encoding);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { ...feed, url: `${baseUrl}${feed.path}`, body, etag };
}

// --- HTTP ------------------------------------------------------------------------------

/**
 * If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"`, and `*`
 * matches any current representation.
 */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((candidate) => candidate.trim() === '*' || strip(candidate) === strip(etag));
}

/** RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present. */
function isNotModified(req: IncomingMessage, feed: ServedFeed, lastModified: Date): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) return etagMatches(ifNoneMatch, feed.etag);
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return Number.isFinite(since) && lastModified.getTime() <= since;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function indexPage(feeds: ServedFeed[]): string {
  const items = feeds.map((f) => `<li><a href="${escapeHtml(f.path)}">${escapeHtml(f.title)}</a> <code>${escapeHtml(f.contentType)}</code></li>`).join('\n');
  return `<!doctype html>\n<meta charset="utf-8">\n<title>Tidings demo feeds</title>\n<h1>Tidings demo feeds</h1>\n<p>Fictional outlets served to the Tidings demo (see demo/README.md).</p>\n<ul>\n${items}\n</ul>\n`;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string | Buffer): void {
  res.writeHead(status, headers);
  res.end(body);
}

function handleRequest(req: IncomingMessage, res: ServerResponse, feeds: Map<string, ServedFeed>, index: string, lastModified: Date): number {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }, 'method not allowed\n');
    return 405;
  }
  const pathname = new URL(req.url ?? '/', 'http://demo.invalid').pathname;
  if (pathname === '/') {
    send(res, 200, { 'Content-Type': 'text/html; charset=utf-8' }, req.method === 'HEAD' ? undefined : index);
    return 200;
  }
  const feed = feeds.get(pathname);
  if (feed === undefined) {
    send(res, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, `no demo feed at ${pathname}\n`);
    return 404;
  }
  const validators = { ETag: feed.etag, 'Last-Modified': lastModified.toUTCString(), 'Cache-Control': 'max-age=60' };
  if (isNotModified(req, feed, lastModified)) {
    send(res, 304, validators);
    return 304;
  }
  const headers = { ...validators, 'Content-Type': feed.contentType, 'Content-Length': String(feed.body.length) };
  send(res, 200, headers, req.method === 'HEAD' ? undefined : feed.body);
  return 200;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function listenPreferring(server: Server, host: string, preferredPort: number): Promise<number> {
  if (preferredPort === 0) return listen(server, host, 0);
  try {
    return await listen(server, host, preferredPort);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return listen(server, host, 0);
  }
}

function startOfMinute(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 60_000) * 60_000);
}

/** Starts the fixture server; the feeds are rendered once, so their bytes and ETags stay stable while it runs. */
export async function startDemoFeedServer(options: DemoFeedServerOptions = {}): Promise<DemoFeedServer> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? startOfMinute(new Date());
  const lastModified = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const routes = new Map<string, ServedFeed>();
  let index = '';
  const server = createServer((req, res) => {
    const status = handleRequest(req, res, routes, index, lastModified);
    options.log?.(`${req.method} ${req.url} ${status}`);
  });
  const port = await listenPreferring(server, host, options.preferredPort ?? 0);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let feeds: ServedFeed[];
  try {
    feeds = DEMO_FEEDS.map((feed) => renderFeed(feed, now, url));
  } catch (error) {
    server.close();
    throw error;
  }
  for (const feed of feeds) routes.set(feed.path, feed);
  index = indexPage(feeds);

  return {
    url,
    port,
    feeds,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Feed readers and undici keep connections alive; don't wait for them to time out.
        server.closeAllConnections();
      }),
  };
}

// --- The demo's Tidings config ---------------------------------------------------------

/** The second demo topic: everything from the general news sources, by source assignment. */
export const WORLD_TOPIC = {
  slug: 'world',
  title: 'World',
  description: 'Everything from the demo’s general news sources (Pacific Wire Service, Globe Dispatch)',
  include: [],
  exclude: [],
};

/**
 * The feeds.config.json the demo runs Tidings with (a plain JSON value, validated by the
 * caller with parseFeedsConfig): the given korea topic, a world topic, one source per demo
 * feed, loopback allowed, and polling every minute.
 */
export function buildDemoFeedsConfig(feeds: readonly ServedFeed[], koreaTopic: unknown): Record<string, unknown> {
  return {
    topics: [koreaTopic, WORLD_TOPIC],
    sources: feeds.map((feed) => ({ url: feed.url, title: feed.title, topics: feed.topics })),
    polling: {
      schedule: '* * * * *',
      concurrency: 8,
      perHost: 5,
      timeoutMs: 10_000,
      maxBytes: 10 * 1024 * 1024,
      // The demo feeds live on 127.0.0.1, which the SSRF guard refuses by default.
      allowPrivateNetworks: true,
      minInterval: '1m',
      maxInterval: '10m',
    },
    retention: { days: 30 },
  };
}
