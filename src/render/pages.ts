/** Server-rendered HTML pages (no build step, no client framework). */
import { escapeHtml } from '../text/html-text.ts';
import type { DigestTopicInfo } from './digest.ts';
import { digestPeriodLabel, digestScheduleText } from './digest-period-label.ts';
import type { FeedKind } from './topic-feed.ts';
import { topicFeedUrls } from './topic-feed.ts';

export interface IndexTopic extends DigestTopicInfo {
  hasDigest: boolean;
}

/** The one stylesheet of the public pages (src/http/html-page.ts allows it by hash). */
export const STYLE = `
  :root { color-scheme: light dark; --muted: #666; }
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { margin-bottom: 0; } .tagline { color: var(--muted); margin-top: .25rem; }
  section { border-top: 1px solid #8884; padding: .5rem 0 1rem; }
  ul.links { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .5rem 1rem; }
  code { font-size: .9em; word-break: break-all; }
  ol.digests { padding-left: 1.2rem; } ol.digests li { margin: .75rem 0; } ol.digests h2 { font-size: 1.1rem; margin: 0; }
  .status { color: var(--muted); margin-bottom: 0; }
  ol.river { list-style: none; padding: 0; } ol.river li { margin: 1rem 0; overflow-wrap: anywhere; }
  ol.river h3 { font-size: 1.05rem; margin: 0; } ol.river p { margin: .2rem 0; } .meta, .also { color: var(--muted); font-size: .9rem; }
  form.search { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: 1rem 0; }
  form.search input { flex: 1 1 12rem; font: inherit; padding: .3rem; }
`;

/** "daily digest" or "weekly digest". */
export function digestKind(topic: IndexTopic): string {
  return `${topic.digest.period} digest`;
}

/** `<link rel="alternate">` tags so browsers and readers discover every feed (RSS Autodiscovery). */
function discoveryLinks(topic: IndexTopic, publicUrl: string): string[] {
  const kinds: FeedKind[] = topic.hasDigest ? ['feed', 'digest'] : ['feed'];
  return kinds.flatMap((kind) => {
    const urls = topicFeedUrls(publicUrl, topic.slug, kind);
    const name = escapeHtml(kind === 'digest' ? `${topic.title} — ${digestKind(topic)}` : topic.title);
    return [
      `<link rel="alternate" type="application/rss+xml" title="${name} (RSS)" href="${escapeHtml(urls.rss)}">`,
      `<link rel="alternate" type="application/atom+xml" title="${name} (Atom)" href="${escapeHtml(urls.atom)}">`,
      `<link rel="alternate" type="application/feed+json" title="${name} (JSON Feed)" href="${escapeHtml(urls.json)}">`,
    ];
  });
}

export function subscribeLinks(label: string, urls: Record<'rss' | 'atom' | 'json', string>): string {
  return `<p>${label}</p><ul class="links">
      <li><a href="${escapeHtml(urls.rss)}" type="application/rss+xml">RSS</a></li>
      <li><a href="${escapeHtml(urls.atom)}" type="application/atom+xml">Atom</a></li>
      <li><a href="${escapeHtml(urls.json)}" type="application/feed+json">JSON Feed</a></li>
    </ul>`;
}

/** The topic's page for browsers (topic-page.ts): /topics/<slug>/. */
export function topicPagePath(slug: string): string {
  return `/topics/${encodeURIComponent(slug)}/`;
}

/** `latest`: the HTML of a topic's newest stories (topic-page.ts storyRiver), when known. */
export function indexPage(topics: readonly IndexTopic[], publicUrl: string, latest?: (topic: IndexTopic) => string): string {
  const sections = topics.map((topic) => {
    const stories = latest
      ? `${latest(topic)}
    <p><a href="${escapeHtml(publicUrl + topicPagePath(topic.slug))}">All ${escapeHtml(topic.title)} stories</a>, newest first, and older ones page by page.</p>`
      : `<p><a href="${escapeHtml(publicUrl + topicPagePath(topic.slug))}">Read the ${escapeHtml(topic.title)} stories</a> in the browser.</p>`;
    const digest = topic.hasDigest
      ? `${subscribeLinks(`Digest, one entry ${digestScheduleText(topic.digest)}:`, topicFeedUrls(publicUrl, topic.slug, 'digest'))}
    <p><a href="${escapeHtml(`${publicUrl}${digestIndexPath(topic.slug)}`)}">Past ${escapeHtml(topic.title)} digests</a>, to read in the browser.</p>`
      : '';
    return `<section id="${escapeHtml(topic.slug)}">
    <h2>${escapeHtml(topic.title)}</h2>
    ${topic.description ? `<p>${escapeHtml(topic.description)}</p>` : ''}
    ${stories}
    ${subscribeLinks('Every story, as it is published:', topicFeedUrls(publicUrl, topic.slug, 'feed'))}
    ${digest}
    <p>Paste a feed address into your feed reader, e.g. <code>${escapeHtml(topicFeedUrls(publicUrl, topic.slug, 'feed').rss)}</code></p>
  </section>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Tidings</title>
  ${topics.flatMap((t) => discoveryLinks(t, publicUrl)).join('\n  ')}
  <style>${STYLE}</style>
</head>
<body>
  <header>
    <h1>Tidings</h1>
    <p class="tagline">Topic feeds gathered from many outlets, each story once.</p>
  </header>
  <main>
  ${topics.length === 0 ? '<p>No topics are configured yet: add one to feeds.config.json.</p>' : sections.join('\n  ')}
  </main>
  <footer>
    <p><a href="${escapeHtml(publicUrl)}/topics.opml">All topic feeds and digest feeds as OPML</a>, to import into a feed reader.</p>
    <p>Running this server? Sources are managed on the <a href="${escapeHtml(publicUrl)}/admin">admin page</a> (enabled by the <code>ADMIN_TOKEN</code> setting).</p>
  </footer>
</body>
</html>
`;
}

/** The page listing a topic's past digests (digest-index-page.ts). */
export function digestIndexPath(slug: string): string {
  return `/topics/${encodeURIComponent(slug)}/digest/`;
}

export interface DigestPageInput {
  topic: DigestTopicInfo;
  title: string;
  html: string;
  periodStart: Date;
  periodEnd: Date;
}

/** The permalink page of one published digest. */
export function digestPage(input: DigestPageInput, publicUrl: string): string {
  const urls = topicFeedUrls(publicUrl, input.topic.slug, 'digest');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(input.title)}</title>
  <link rel="alternate" type="application/rss+xml" title="${escapeHtml(input.topic.title)} digest (RSS)" href="${escapeHtml(urls.rss)}">
  <link rel="alternate" type="application/atom+xml" title="${escapeHtml(input.topic.title)} digest (Atom)" href="${escapeHtml(urls.atom)}">
  <link rel="alternate" type="application/feed+json" title="${escapeHtml(input.topic.title)} digest (JSON Feed)" href="${escapeHtml(urls.json)}">
  <style>${STYLE}</style>
</head>
<body>
  <main>
  ${input.html}
  <p class="tagline">Stories published ${escapeHtml(digestPeriodLabel({ start: input.periodStart, end: input.periodEnd }, input.topic.digest.timezone))}.</p>
  </main>
  <footer><p><a href="${escapeHtml(publicUrl)}/">All topics</a> · subscribe to this digest: <a href="${escapeHtml(urls.rss)}">RSS</a>, <a href="${escapeHtml(urls.atom)}">Atom</a>, <a href="${escapeHtml(urls.json)}">JSON Feed</a></p></footer>
</body>
</html>
`;
}

const STATUS_HEADINGS: Record<number, string> = {
  400: 'Bad request',
  401: 'Not allowed',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  413: 'Too large',
  414: 'Address too long',
  415: 'Unsupported type',
  429: 'Too many requests',
  503: 'Unavailable',
};

/**
 * The page a browser gets for an error answer: the status, the JSON answer's message
 * (escaped: it may quote the request's path) and a way home. The link is relative, so it
 * works whatever the Host header said.
 */
export function errorPage(status: number, message: string): string {
  const heading = STATUS_HEADINGS[status] ?? (status >= 500 ? 'Something went wrong' : 'Cannot answer that');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>${status} ${escapeHtml(heading)} · Tidings</title>
  <style>${STYLE}</style>
</head>
<body>
  <main>
  <p class="status">Error ${status}</p>
  <h1>${escapeHtml(heading)}</h1>
  <p>${escapeHtml(message)}</p>
  </main>
  <footer><p><a href="/">Tidings home</a>: every topic and its feeds.</p></footer>
</body>
</html>
`;
}
