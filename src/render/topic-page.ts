/**
 * A topic's stories for browsers, as a river of news: /topics/<slug>/ (the newest stories)
 * and /topics/<slug>/archive/<n>/ (one archive page, archive-links.ts), paged from one to the
 * next. Server-rendered, no script (the CSP allows none), readable on a phone. Everything a
 * publisher wrote is escaped text here, and links go out only to http(s) URLs, checked by
 * parsing them (as sanitize.ts checks links in item HTML).
 */
import type { FeedEntry } from '../model.ts';
import { escapeHtml } from '../text/html-text.ts';
import { archivePagePath } from './archive-links.ts';
import { STYLE, subscribeLinks, topicPagePath, type IndexTopic } from './pages.ts';

export { topicPagePath };
import { plainTitle } from './plain-title.ts';
import { otherCopies, topicFeedUrls } from './topic-feed.ts';

/** Where a page of the river sits in the topic's archive. */
export interface RiverPaging {
  /** The archive page shown; null for the topic page itself. */
  page: number | null;
  /** The archive page with the stories before these (null: none older). */
  older: number | null;
  /** The page with the stories after these: an archive page, the topic page ('topic'), or none. */
  newer: number | 'topic' | null;
}

/** A page of the river's stories, or why there is none (an archive page gone by retention, or not made yet). */
export type RiverStories = { status: 'found'; stories: FeedEntry[]; paging: RiverPaging } | { status: 'gone' | 'missing' };

export interface TopicPageInput {
  topic: IndexTopic;
  stories: readonly FeedEntry[];
  paging: RiverPaging;
  /** The search asked for (?q=), and what to say about it. */
  search?: { query: string; note: string } | undefined;
}

/** An absolute http(s) URL as a link target, or null: anything else is shown as text only. */
export function linkableUrl(url: string | null): string | null {
  if (url === null) return null;
  const parsed = URL.parse(url);
  return parsed !== null && (parsed.protocol === 'http:' || parsed.protocol === 'https:') ? parsed.href : null;
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** "Tue 1 Dec, 09:30 KST": a story's time as a reader of the topic's time zone says it. */
export function localTime(date: Date, timeZone: string): string {
  let format = timeFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    });
    timeFormats.set(timeZone, format);
  }
  return format.format(date);
}

function linked(text: string, url: string | null): string {
  const href = linkableUrl(url);
  return href === null ? escapeHtml(text) : `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}

/** One story: headline to the original, outlet and local time, summary, the other outlets. */
export function storyItem(entry: FeedEntry, timeZone: string): string {
  const title = plainTitle(entry.title || entry.summary.slice(0, 80) || '(untitled)');
  const source = linked(entry.source.title, entry.source.siteUrl);
  const copies = otherCopies(entry);
  const also = copies.length === 0 ? '' : `\n      <p class="also">Also reported by ${copies.map((copy) => linked(copy.source, copy.url)).join(', ')}</p>`;
  const summary = entry.summary === '' ? '' : `\n      <p>${escapeHtml(entry.summary)}</p>`;
  const original = linkableUrl(entry.url);
  const read = original === null ? '' : ` · <a href="${escapeHtml(original)}">Read the original</a>`;
  return `<li>
      <h3>${linked(title, entry.url)}</h3>
      <p class="meta">${source} · <time datetime="${entry.publishedAt.toISOString()}">${escapeHtml(localTime(entry.publishedAt, timeZone))}</time>${read}</p>${summary}${also}
    </li>`;
}

export function storyRiver(stories: readonly FeedEntry[], timeZone: string): string {
  return `<ol class="river">
    ${stories.map((story) => storyItem(story, timeZone)).join('\n    ')}
  </ol>`;
}

function pagingNav(slug: string, publicUrl: string, paging: RiverPaging): string {
  const links: string[] = [];
  if (paging.newer === 'topic') links.push(`<a href="${escapeHtml(publicUrl + topicPagePath(slug))}" rel="prev">Newer stories</a>`);
  else if (paging.newer !== null) links.push(`<a href="${escapeHtml(publicUrl + archivePagePath(slug, paging.newer))}" rel="prev">Newer stories</a>`);
  if (paging.older !== null) links.push(`<a href="${escapeHtml(publicUrl + archivePagePath(slug, paging.older))}" rel="next">Older stories</a>`);
  return links.length === 0 ? '' : `<nav class="paging"><ul class="links"><li>${links.join('</li><li>')}</li></ul></nav>`;
}

function searchForm(slug: string, publicUrl: string, query: string): string {
  return `<form class="search" method="get" action="${escapeHtml(publicUrl + topicPagePath(slug))}" role="search">
      <label for="q">Search these stories</label>
      <input id="q" name="q" type="search" value="${escapeHtml(query)}" maxlength="200">
      <button type="submit">Search</button>
    </form>`;
}

export function topicPage(input: TopicPageInput, publicUrl: string): string {
  const { topic, paging } = input;
  const urls = topicFeedUrls(publicUrl, topic.slug, 'feed');
  const where = paging.page === null ? '' : ` · archive page ${paging.page}`;
  const canonical = publicUrl + (paging.page === null ? topicPagePath(topic.slug) : archivePagePath(topic.slug, paging.page));
  const heading = input.search ? `<p class="status">${escapeHtml(input.search.note)}</p>` : '';
  const empty = input.stories.length === 0 ? '<p>No stories here yet.</p>' : '';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(topic.title)}${escapeHtml(where)} · Tidings</title>
  <link rel="canonical" href="${escapeHtml(canonical)}">
  <link rel="alternate" type="application/rss+xml" title="${escapeHtml(topic.title)} (RSS)" href="${escapeHtml(urls.rss)}">
  <link rel="alternate" type="application/atom+xml" title="${escapeHtml(topic.title)} (Atom)" href="${escapeHtml(urls.atom)}">
  <link rel="alternate" type="application/feed+json" title="${escapeHtml(topic.title)} (JSON Feed)" href="${escapeHtml(urls.json)}">
  <style>${STYLE}</style>
</head>
<body>
  <header>
    <h1>${escapeHtml(topic.title)}</h1>
    <p class="tagline">${escapeHtml(topic.description || `${topic.title} news, gathered by Tidings`)}${escapeHtml(where)}</p>
    ${searchForm(topic.slug, publicUrl, input.search?.query ?? '')}
  </header>
  <main>
  ${heading}
  ${empty}
  ${storyRiver(input.stories, topic.digest.timezone)}
  ${pagingNav(topic.slug, publicUrl, paging)}
  </main>
  <footer>
    ${subscribeLinks(`Follow ${escapeHtml(topic.title)} in a feed reader:`, urls)}
    <p><a href="${escapeHtml(publicUrl)}/">All topics</a></p>
  </footer>
</body>
</html>
`;
}
