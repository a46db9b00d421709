/**
 * A topic's feed document: one entry per story, showing the representative copy
 * (sanitized) and the other outlets that carried it.
 */
import { createHash } from 'node:crypto';
import { withoutTracking } from '../dedupe/index.ts';
import { escapeHtml } from '../text/html-text.ts';
import type { FeedEntry } from '../model.ts';
import type { DocumentEntry, FeedDocument, FeedFormat } from './feed-formats.ts';
import { sanitizeHtml } from './sanitize.ts';

export interface TopicInfo {
  slug: string;
  title: string;
  description: string;
}

export type FeedKind = 'feed' | 'digest';

/** Public URL of a topic document, e.g. /topics/korea/rss.xml or /topics/korea/digest/atom.xml. */
export function topicFeedPath(slug: string, kind: FeedKind, format: FeedFormat): string {
  const file = format === 'rss' ? 'rss.xml' : format === 'atom' ? 'atom.xml' : 'feed.json';
  return `/topics/${encodeURIComponent(slug)}/${kind === 'digest' ? 'digest/' : ''}${file}`;
}

export function topicFeedUrls(publicUrl: string, slug: string, kind: FeedKind): Record<FeedFormat, string> {
  return {
    rss: publicUrl + topicFeedPath(slug, kind, 'rss'),
    atom: publicUrl + topicFeedPath(slug, kind, 'atom'),
    json: publicUrl + topicFeedPath(slug, kind, 'json'),
  };
}

/** A name-based UUID (RFC 9562 §5.5, version 5 layout over SHA-1): stable ids from names. */
export function nameUuid(name: string): string {
  const hash = createHash('sha1').update(`tidings:${name}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The other outlets' copies as readers get them: tracking parameters (utm_*, fbclid, …) dropped. */
export function otherCopies(entry: FeedEntry): Array<{ source: string; url: string | null; title: string }> {
  return entry.alsoReportedBy.map((copy) => ({ source: copy.source.title, url: copy.url === null ? null : withoutTracking(copy.url), title: copy.title }));
}

function alsoReportedBy(entry: FeedEntry): string {
  if (entry.alsoReportedBy.length === 0) return '';
  const links = otherCopies(entry).map((copy) => {
    const name = escapeHtml(copy.source);
    return copy.url ? `<a href="${escapeHtml(copy.url)}">${name}</a>` : name;
  });
  return `<p><small>Also reported by: ${links.join(', ')}</small></p>`;
}

function entryContent(entry: FeedEntry): string {
  const body = entry.contentHtml ? sanitizeHtml(entry.contentHtml, entry.url ?? entry.source.siteUrl ?? entry.source.url) : '';
  const fallback = body.trim() === '' && entry.summary ? `<p>${escapeHtml(entry.summary)}</p>` : body;
  return fallback + alsoReportedBy(entry);
}

function toDocumentEntry(entry: FeedEntry): DocumentEntry {
  return {
    id: `urn:uuid:${entry.guid}`,
    // Every format needs an absolute link: the article, else its source's site or feed.
    url: entry.url ?? entry.source.siteUrl ?? entry.source.url,
    title: entry.title || entry.summary.slice(0, 80) || '(untitled)',
    summary: entry.summary,
    contentHtml: entryContent(entry),
    published: entry.publishedAt,
    updated: entry.updatedAt,
    authors: entry.author ? [entry.author] : [],
    categories: entry.categories,
    enclosure: entry.enclosure,
    source: { title: entry.source.title, feedUrl: entry.source.url, siteUrl: entry.source.siteUrl },
    extension: {
      also_reported_by: otherCopies(entry),
    },
  };
}

export function topicFeedDocument(topic: TopicInfo, entries: FeedEntry[], publicUrl: string): FeedDocument {
  const updated = entries.reduce((latest, e) => (e.updatedAt > latest ? e.updatedAt : latest), new Date(0));
  return {
    id: `urn:uuid:${nameUuid(`topic:${topic.slug}`)}`,
    title: `${topic.title} — Tidings`,
    description: topic.description || `${topic.title} news, gathered by Tidings`,
    homeUrl: `${publicUrl}/`,
    urls: topicFeedUrls(publicUrl, topic.slug, 'feed'),
    updated,
    entries: entries.map(toDocumentEntry),
  };
}
