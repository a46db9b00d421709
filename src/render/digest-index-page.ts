/** The page listing a topic's past digests, newest first: /topics/<slug>/digest/. */
import { escapeHtml } from '../text/html-text.ts';
import { digestPath } from './digest.ts';
import { digestPeriodLabel } from './digest-period-label.ts';
import { digestIndexPath, digestKind, STYLE, subscribeLinks, type IndexTopic } from './pages.ts';
import { topicFeedUrls } from './topic-feed.ts';

export interface DigestIndexEntry {
  /** The local date the period ends on (YYYY-MM-DD): the digest's permalink. */
  date: string;
  title: string;
  periodStart: Date;
  periodEnd: Date;
  stories: number;
}

/** The formats one digest is published in, by the path after its permalink. */
export const DIGEST_FORMATS: ReadonlyArray<{ suffix: string; label: string; type: string }> = [
  { suffix: '', label: 'web page', type: 'text/html' },
  { suffix: '.txt', label: 'plain text', type: 'text/plain' },
];

function entryItem(topic: IndexTopic, entry: DigestIndexEntry, publicUrl: string): string {
  const slug = topic.slug;
  const permalink = `${publicUrl}${digestPath(slug, entry.date)}`;
  const formats = DIGEST_FORMATS.map((f) => `<a href="${escapeHtml(permalink + f.suffix)}" type="${f.type}">${f.label}</a>`).join(' · ');
  const stories = `${entry.stories} top ${entry.stories === 1 ? 'story' : 'stories'}`;
  return `<li>
      <h2><a href="${escapeHtml(permalink)}">${escapeHtml(entry.title)}</a></h2>
      <p>${stories} published ${escapeHtml(digestPeriodLabel({ start: entry.periodStart, end: entry.periodEnd }, topic.digest.timezone))}. Read it as a ${formats}.</p>
    </li>`;
}

/**
 * `shown` entries, newest first; `more` says older digests exist beyond them (they keep
 * their permalinks).
 */
export function digestIndexPage(topic: IndexTopic, entries: readonly DigestIndexEntry[], publicUrl: string, more: boolean): string {
  const urls = topicFeedUrls(publicUrl, topic.slug, 'digest');
  const name = `${topic.title} — ${digestKind(topic)}`;
  const older = more ? `<p class="tagline">Only the newest ${entries.length} are listed; older digests keep their addresses.</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(name)}s · Tidings</title>
  <link rel="canonical" href="${escapeHtml(publicUrl + digestIndexPath(topic.slug))}">
  <link rel="alternate" type="application/rss+xml" title="${escapeHtml(name)} (RSS)" href="${escapeHtml(urls.rss)}">
  <link rel="alternate" type="application/atom+xml" title="${escapeHtml(name)} (Atom)" href="${escapeHtml(urls.atom)}">
  <link rel="alternate" type="application/feed+json" title="${escapeHtml(name)} (JSON Feed)" href="${escapeHtml(urls.json)}">
  <style>${STYLE}</style>
</head>
<body>
  <header>
    <h1>${escapeHtml(name)}s</h1>
    <p class="tagline">The top ${escapeHtml(topic.title)} stories of each ${topic.digest.period === 'weekly' ? 'week' : 'day'}, newest first.</p>
  </header>
  <main>
  <section>
    ${subscribeLinks('Get each new digest in your feed reader:', urls)}
  </section>
  <ol class="digests">
    ${entries.map((entry) => entryItem(topic, entry, publicUrl)).join('\n    ')}
  </ol>
  ${older}
  </main>
  <footer><p><a href="${escapeHtml(publicUrl)}/">All topics</a></p></footer>
</body>
</html>
`;
}
