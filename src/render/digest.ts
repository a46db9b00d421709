/**
 * A digest: the period's top stories as readable HTML (headings, a list, no scripts) and
 * as plain text, and the digest feed document (one entry per published digest).
 */
import { escapeHtml } from '../text/html-text.ts';
import type { DigestSchedule } from '../digest-periods.ts';
import type { Digest } from '../db/schema.ts';
import type { DigestStory } from '../model.ts';
import { digestPeriodLabel, digestScheduleText } from './digest-period-label.ts';
import type { FeedDocument } from './feed-formats.ts';
import { nameUuid, topicFeedUrls, type TopicInfo } from './topic-feed.ts';

/** A topic with its digest schedule: the periods are named in its time zone. */
export interface DigestTopicInfo extends TopicInfo {
  digest: DigestSchedule;
}

const SUMMARY_CHARS = 200;

/** The summary's first sentence, at most ~200 characters. */
export function oneLine(summary: string): string {
  const sentence = /^.+?[.!?。](?=\s|$)/u.exec(summary)?.[0] ?? summary;
  if (sentence.length <= SUMMARY_CHARS) return sentence;
  const cut = sentence.slice(0, SUMMARY_CHARS);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), SUMMARY_CHARS / 2)).trimEnd()}…`;
}

/**
 * "Korea daily digest: Tuesday 1 December, 07:00 – Wednesday 2 December, 07:00 KST". Both
 * ends, in local time: the date a period ends on alone ("Wednesday 2 December") would
 * announce Tuesday's news as Wednesday's.
 */
export function digestTitle(topic: DigestTopicInfo, period: { start: Date; end: Date }): string {
  return `${topic.title} ${topic.digest.period} digest: ${digestPeriodLabel(period, topic.digest.timezone)}`;
}

export function digestPath(slug: string, date: string): string {
  return `/topics/${encodeURIComponent(slug)}/digest/${date}`;
}

function outletsText(story: DigestStory): string {
  return story.outlets.map((o) => o.title).join(', ');
}

export function digestHtml(title: string, stories: DigestStory[]): string {
  const items = stories.map((story) => {
    const headline = escapeHtml(story.title || '(untitled)');
    const link = story.url ? `<a href="${escapeHtml(story.url)}">${headline}</a>` : headline;
    const summary = story.summary ? `<p>${escapeHtml(oneLine(story.summary))}</p>` : '';
    const outlets = story.outlets.length > 0 ? `<p><small>Reported by ${escapeHtml(outletsText(story))}</small></p>` : '';
    return `<li><h3>${link}</h3>${summary}${outlets}</li>`;
  });
  return `<h2>${escapeHtml(title)}</h2><p>${stories.length} top ${stories.length === 1 ? 'story' : 'stories'}, most widely reported first.</p><ol>${items.join('')}</ol>`;
}

export function digestText(title: string, stories: DigestStory[]): string {
  const lines = [title, ''];
  stories.forEach((story, i) => {
    lines.push(`${i + 1}. ${story.title || '(untitled)'}`);
    if (story.summary) lines.push(`   ${oneLine(story.summary)}`);
    if (story.url) lines.push(`   ${story.url}`);
    if (story.outlets.length > 0) lines.push(`   Reported by ${outletsText(story)}`);
    lines.push('');
  });
  return lines.join('\n');
}

/**
 * The digest feed: newest digest first. Entry ids derive from topic and period date only, so
 * they never change, whatever the titles' wording.
 */
export function digestFeedDocument(topic: DigestTopicInfo, digests: Digest[], publicUrl: string): FeedDocument {
  return {
    id: `urn:uuid:${nameUuid(`digest-feed:${topic.slug}`)}`,
    title: `${topic.title} — Tidings digest`,
    description: `The top ${topic.title} stories, in one entry ${digestScheduleText(topic.digest)}`,
    homeUrl: `${publicUrl}/`,
    urls: topicFeedUrls(publicUrl, topic.slug, 'digest'),
    updated: digests.reduce((latest, d) => (d.created_at > latest ? d.created_at : latest), new Date(0)),
    entries: digests.map((d) => ({
      id: `urn:uuid:${nameUuid(`digest:${topic.slug}:${d.period_date}`)}`,
      url: publicUrl + digestPath(topic.slug, d.period_date),
      title: d.title,
      // Rendered, not stored: digests published before periods were named locally read the same.
      summary: `${d.story_ids.length} top ${d.story_ids.length === 1 ? 'story' : 'stories'} published ${digestPeriodLabel({ start: d.period_start, end: d.period_end }, topic.digest.timezone)}`,
      contentHtml: d.html,
      published: d.created_at,
      updated: d.created_at,
      authors: ['Tidings'],
      categories: [topic.title],
      enclosure: null,
      source: null,
    })),
  };
}
