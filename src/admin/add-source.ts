/**
 * Adding a source: the URL is fetched first (through the fetcher, so the SSRF guard
 * judges every address it connects to, redirects included) and read as a feed.
 *  - A feed: the source is created (origin `admin`) and its first poll stored at once,
 *    from the response already fetched; the answer shows the feed's title and latest items.
 *  - An HTML page: the feeds it advertises (<link rel="alternate">), or else the feeds
 *    found at common paths (/feed, /rss.xml…), are offered as choices; nothing is added.
 *  - A URL that already is a source: refused, naming that source.
 */
import { FeedError } from '../errors.ts';
import { classify } from '../ingest/classify.ts';
import type { FetchResult } from '../ingest/fetch/index.ts';
import { htmlToPlainText } from '../text/html-text.ts';
import { itemDate, type NormalizedFeed } from '../model.ts';
import { insertAdminSources } from '../store/source-admin.ts';
import { findSourceHealth, sourcesByUrl } from '../store/source-reads.ts';
import type { AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { sourceView, type SourceView } from './source-view.ts';
import { checkTitle, checkTopics, parseFeedUrl } from './validate.ts';

export interface AddSourceInput {
  url: string;
  title?: string | null | undefined;
  topics?: readonly string[] | undefined;
  /** Fetch each new or changed item's page and use its article as the content (src/ingest/full-content.ts). */
  fullContent?: boolean | undefined;
  /** Check and preview only; add nothing. */
  dryRun?: boolean | undefined;
}

export interface PreviewItem {
  title: string;
  url: string | null;
  publishedAt: Date | null;
  /** Topics the item would be in with the chosen source topics. */
  topics: string[];
}

export interface FeedPreview {
  /** The URL fetched (after redirects). */
  finalUrl: string;
  title: string | null;
  siteUrl: string | null;
  format: string;
  itemCount: number;
  /** The latest items, newest first. */
  items: PreviewItem[];
}

export interface FeedChoice {
  url: string;
  title: string | null;
  itemCount: number;
  /** Advertised by the page with <link rel="alternate">, rather than found at a common path. */
  advertised: boolean;
}

export type AddSourceOutcome =
  | { kind: 'added'; source: SourceView; feed: FeedPreview }
  | { kind: 'preview'; url: string; feed: FeedPreview }
  | { kind: 'choices'; pageUrl: string; choices: FeedChoice[] };

const PREVIEW_ITEMS = 10;
/** Where sites commonly serve their feed, tried when a page advertises none. */
export const COMMON_FEED_PATHS = ['/feed', '/rss.xml', '/feed.xml', '/atom.xml', '/rss', '/index.xml', '/feed/'];
const MAX_CANDIDATES = 8;

export async function addSource(ctx: AdminContext, input: AddSourceInput): Promise<AddSourceOutcome> {
  const url = parseFeedUrl(input.url);
  const title = checkTitle(input.title ?? null);
  const topics = checkTopics(ctx, input.topics ?? []);
  await rejectExisting(ctx, [url, input.url.trim()]);

  const probed = await probeUrl(ctx, url);
  if (probed.kind === 'page') {
    const choices = await discoverFeeds(ctx, url, probed.alternates);
    if (choices.length === 0) {
      const tried =
        probed.alternates.length > 0
          ? `the feeds it links to (${probed.alternates.join(', ')}) could not be read`
          : `nothing was found at ${COMMON_FEED_PATHS.join(', ')}`;
      throw new AdminError('unprocessable', 'no_feed_found', `${url} is an HTML page, not a feed, and no feed was found for it: ${tried}`);
    }
    return { kind: 'choices', pageUrl: url, choices };
  }
  // A URL that redirects to a feed already polled would only poll it twice.
  if (probed.fetched.finalUrl !== url) await rejectExisting(ctx, [probed.fetched.finalUrl], url);
  const feed = preview(ctx, probed.fetched, probed.feed, { topics, title: title ?? probed.feed.title, url });
  if (input.dryRun) return { kind: 'preview', url, feed };

  const now = ctx.now();
  const [row] = await insertAdminSources(ctx.db, [{ url, title, topics, fullContent: input.fullContent ?? false }], now);
  if (row === undefined) await rejectExisting(ctx, [url]); // added by someone else meanwhile
  ctx.log.info({ action: 'source.add', sourceId: row!.id, url, topics }, 'admin added a source');
  await storeFirstPoll(ctx, url, probed.fetched);
  const stored = await findSourceHealth(ctx.db, row!.id, ctx.now());
  return { kind: 'added', source: sourceView(stored!, ctx.now()), feed };
}

/** 409 naming the existing source when one of `urls` is already a source. */
async function rejectExisting(ctx: AdminContext, urls: string[], redirectedFrom?: string): Promise<void> {
  const [existing] = await sourcesByUrl(ctx.db, [...new Set(urls)]);
  if (existing === undefined) return;
  const now = ctx.now();
  const source = await findSourceHealth(ctx.db, existing.id, now);
  const via = redirectedFrom === undefined ? '' : ` (${redirectedFrom} redirects to it)`;
  const moved = existing.sourceUrl === existing.url ? '' : ` (its feed moved to ${existing.sourceUrl})`;
  throw new AdminError('conflict', 'source_exists', `${existing.url} is already source #${existing.id}${via}${moved}`, {
    source: source && sourceView(source, now),
  });
}

type Probe = { kind: 'feed'; fetched: FetchResult & { kind: 'ok' }; feed: NormalizedFeed } | { kind: 'page'; alternates: string[] };

/**
 * An admin's probe is a request to the publisher like any poll: it waits for a slot of the
 * host (polling.perHost, polling.hostSpacing) as polls do.
 */
async function politeFetch(ctx: AdminContext, url: string): Promise<FetchResult> {
  const slot = await ctx.hostGate?.acquire(url);
  try {
    return await ctx.fetcher.fetchFeed({ url });
  } finally {
    await slot?.release();
  }
}

/** Fetches and reads the URL; fetch and feed errors become 422s carrying the FeedError's code. */
async function probeUrl(ctx: AdminContext, url: string): Promise<Probe> {
  const fetched = await politeFetch(ctx, url).catch((error: unknown) => {
    throw asAdminError(error, `cannot fetch ${url}`);
  });
  // Unconditional request: a 304 cannot happen; the check narrows the type.
  if (fetched.kind !== 'ok') throw new AdminError('unprocessable', 'http_unexpected_status', `${url} answered 304 to an unconditional request`);
  try {
    const { feed } = await ctx.readFeed(fetched.body, fetched.contentType, fetched.finalUrl);
    return { kind: 'feed', fetched, feed };
  } catch (error) {
    if (error instanceof FeedError && error.code === 'not_a_feed' && isHtml(error, fetched)) {
      return { kind: 'page', alternates: error.details.alternates ?? [] };
    }
    throw asAdminError(error, `${url} is not a usable feed`);
  }
}

function isHtml(error: FeedError, fetched: FetchResult & { kind: 'ok' }): boolean {
  if (error.details.alternates !== undefined) return true;
  if (/^\s*(text\/html|application\/xhtml\+xml)/i.test(fetched.contentType ?? '')) return true;
  return /<html[\s>]/i.test(fetched.body.subarray(0, 2048).toString('latin1'));
}

/** A FeedError as a 422 with its code (e.g. blocked_address, http_not_found); anything else unchanged. */
function asAdminError(error: unknown, context: string): unknown {
  return error instanceof FeedError ? new AdminError('unprocessable', error.code, `${context}: ${error.message}`) : error;
}

/** Each candidate feed URL that really is a feed, with its title; candidates checked concurrently. */
async function discoverFeeds(ctx: AdminContext, pageUrl: string, alternates: string[]): Promise<FeedChoice[]> {
  const advertised = alternates.length > 0;
  const candidates = (advertised ? alternates : COMMON_FEED_PATHS.map((path) => new URL(path, pageUrl).href))
    .filter((candidate) => candidate !== pageUrl)
    .slice(0, MAX_CANDIDATES);
  const checked = await Promise.all(
    candidates.map(async (candidate): Promise<FeedChoice | null> => {
      try {
        const fetched = await politeFetch(ctx, candidate);
        if (fetched.kind !== 'ok') return null;
        const { feed } = await ctx.readFeed(fetched.body, fetched.contentType, fetched.finalUrl);
        return { url: fetched.permanentUrl ?? candidate, title: feed.title, itemCount: feed.items.length, advertised };
      } catch (error) {
        if (error instanceof FeedError) return null;
        throw error;
      }
    }),
  );
  const choices = checked.filter((c): c is FeedChoice => c !== null);
  return choices.filter((choice, i) => choices.findIndex((c) => c.url === choice.url) === i);
}

function preview(
  ctx: AdminContext,
  fetched: FetchResult & { kind: 'ok' },
  feed: NormalizedFeed,
  source: { topics: string[]; title: string | null; url: string },
): FeedPreview {
  const { compiled } = ctx.topics.current();
  const latest = [...feed.items].sort((a, b) => (itemDate(b)?.getTime() ?? -Infinity) - (itemDate(a)?.getTime() ?? -Infinity)).slice(0, PREVIEW_ITEMS);
  return {
    finalUrl: fetched.finalUrl,
    title: feed.title,
    siteUrl: feed.siteUrl,
    format: feed.format,
    itemCount: feed.items.length,
    items: latest.map((item) => ({
      title: item.title,
      url: item.url,
      publishedAt: itemDate(item),
      topics: classify({ ...item, contentText: item.contentHtml ? htmlToPlainText(item.contentHtml) : '', source }, source.topics, compiled),
    })),
  };
}

/**
 * Stores the new source's first poll through the poll job itself (claim, store, stories,
 * poll event, feed regeneration), handing it the response already fetched instead of
 * asking the publisher a second time.
 */
async function storeFirstPoll(ctx: AdminContext, url: string, fetched: FetchResult): Promise<void> {
  let replayed = false;
  const fetcher = {
    fetchFeed: (req: Parameters<AdminContext['fetcher']['fetchFeed']>[0]) => {
      if (!replayed && req.url === url) {
        replayed = true;
        return Promise.resolve(fetched);
      }
      return ctx.fetcher.fetchFeed(req);
    },
  };
  await ctx.actions.pollSource(url, fetcher);
}
