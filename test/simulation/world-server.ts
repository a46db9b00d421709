/**
 * One HTTP server on 127.0.0.1 for every simulated host (Tidings resolves *.sim there through
 * the fetcher's test DNS hook; the Host header says which publisher is asked). It answers as
 * the world says at the simulated time, and logs every request for the invariants.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { feedAt, listing, outageAt, servingFeed, type World, type WorldFeed, type WorldItem } from './world.ts';
import { articlePage, renderWorldFeed } from './world-render.ts';

export interface LoggedRequest {
  /** Simulated time of the request. */
  at: Date;
  host: string;
  /** Path and query, as requested. */
  path: string;
  status: number;
  /** The feed whose document answered (after a 301 the next request names the target). */
  feedId: string | null;
  /** Publisher hints on the answer, in seconds (ttl as seconds too). */
  hintSeconds: number;
  /** Sent while an admin or CLI action was under way (forced polls are the admin's call). */
  forced: boolean;
}

export interface WorldServer {
  port: number;
  url(feed: WorldFeed): string;
  log: LoggedRequest[];
  /** Marks requests as forced while an admin action runs. */
  forced: boolean;
  close(): Promise<void>;
}

const HOSTS_PATTERN = /^([a-z0-9.-]+\.sim)(?::\d+)?$/;

/** The published item of a fullContent publisher whose page is at (host, path). */
function articleAt(world: World, host: string, path: string, t: Date): { feed: WorldFeed; item: WorldItem } | undefined {
  if (!path.startsWith('/articles/')) return undefined;
  const feed = world.feeds.find((f) => f.fullContent && f.host === host);
  const item = feed && world.items.get(feed.id)?.find((i) => new URL(i.url).pathname === path && i.publishedAt <= t);
  return feed && item ? { feed, item } : undefined;
}

/** `hubUrl`: the WebSub hub the feeds marked `hub` name (W3C WebSub §4, Link header). */
export async function startWorldServer(world: World, clock: () => Date, hubUrl?: string): Promise<WorldServer> {
  const state = { forced: false };
  const log: LoggedRequest[] = [];
  const server: Server = createServer((request, response) => {
    const now = clock();
    const host = HOSTS_PATTERN.exec(request.headers.host ?? '')?.[1] ?? '';
    const path = request.url ?? '/';
    const entry: LoggedRequest = { at: now, host, path, status: 404, feedId: null, hintSeconds: 0, forced: state.forced };
    log.push(entry);
    const send = (status: number, headers: Record<string, string>, body?: Buffer | string) => {
      entry.status = status;
      response.writeHead(status, headers).end(body);
    };
    const article = articleAt(world, host, path, now);
    if (article !== undefined) {
      // A fullContent publisher's page (world.ts WorldFeed.fullContent), with an ETag.
      entry.feedId = article.feed.id;
      const page = articlePage(article.feed, article.item, now);
      const etag = `"${createHash('sha1').update(page).digest('base64url').slice(0, 20)}"`;
      if (request.headers['if-none-match'] === etag) return send(304, { etag });
      return send(200, { 'content-type': 'text/html; charset=utf-8', etag }, page);
    }
    const feed = feedAt(world, host, path);
    if (feed === undefined) return send(404, { 'content-type': 'text/plain' }, 'no such feed');
    entry.feedId = feed.id;
    if (feed.goneAt && feed.goneAt <= now) return send(410, { 'content-type': 'text/plain' }, 'gone');
    const serving = servingFeed(world, host, path, now);
    if (feed.movedTo && feed.movedTo.at <= now && feed.path === path) {
      return send(301, { location: `http://${host}:${(server.address() as AddressInfo).port}${feed.movedTo.path}` });
    }
    const outage = outageAt(feed, now);
    if (outage) {
      entry.hintSeconds = outage.retryAfterSeconds ?? 0;
      return send(
        outage.status,
        { 'content-type': 'text/plain', ...(outage.retryAfterSeconds ? { 'retry-after': String(outage.retryAfterSeconds) } : {}) },
        'try later',
      );
    }
    const current = serving ?? feed;
    entry.feedId = current.id;
    const doc = renderWorldFeed(current, listing(world, current, now), now);
    const headers: Record<string, string> = { 'content-type': doc.contentType };
    const etag = `"${createHash('sha1').update(doc.body).digest('base64url').slice(0, 20)}"`;
    if (current.validators === 'etag' || current.validators === 'both') headers.etag = etag;
    if (current.validators === 'last-modified' || current.validators === 'both') headers['last-modified'] = doc.lastModified.toUTCString();
    if (current.maxAgeSeconds) headers['cache-control'] = `max-age=${current.maxAgeSeconds}`;
    if (current.hub && hubUrl) headers.link = `<${hubUrl}>; rel="hub", <http://${host}:${(server.address() as AddressInfo).port}${current.path}>; rel="self"`;
    if (current.expiresSeconds) headers.expires = new Date(now.getTime() + current.expiresSeconds * 1000).toUTCString();
    entry.hintSeconds = Math.max(current.ttlMinutes ? current.ttlMinutes * 60 : 0, current.maxAgeSeconds ?? 0, current.expiresSeconds ?? 0);
    const etagMatches = headers.etag !== undefined && request.headers['if-none-match'] === headers.etag;
    const since = request.headers['if-modified-since'];
    const notModifiedSince = headers['last-modified'] !== undefined && since !== undefined && Date.parse(since) >= doc.lastModified.getTime();
    if (etagMatches || (headers.etag === undefined && notModifiedSince)) {
      const { 'content-type': _type, ...validators } = headers;
      return send(304, validators);
    }
    return send(200, headers, doc.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (feed) => `http://${feed.host}:${port}${feed.path}`,
    log,
    get forced() {
      return state.forced;
    },
    set forced(value: boolean) {
      state.forced = value;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
