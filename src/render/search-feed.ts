/**
 * A search within a topic (`?q=`) as a feed document: the topic's entries that matched, as
 * the topic feed shows them (same entry ids), under a title that says the query. The
 * document has its own id and self links, so a reader subscribed to a search keeps it
 * apart from the topic feed.
 */
import type { FeedEntry } from '../model.ts';
import type { FeedDocument, FeedFormat } from './feed-formats.ts';
import { nameUuid, topicFeedDocument, type TopicInfo } from './topic-feed.ts';

/** `query` is the query's canonical spelling (SearchQuery.text, src/text/search-query.ts). */
export function searchFeedDocument(topic: TopicInfo, query: string, entries: FeedEntry[], publicUrl: string): FeedDocument {
  const doc = topicFeedDocument(topic, entries, publicUrl);
  const withQuery = (url: string) => `${url}?q=${encodeURIComponent(query)}`;
  const urls = Object.fromEntries(Object.entries(doc.urls).map(([format, url]) => [format, withQuery(url)])) as Record<FeedFormat, string>;
  return {
    ...doc,
    id: `urn:uuid:${nameUuid(`topic:${topic.slug}:search:${query}`)}`,
    title: `${topic.title} — search: ${query}`,
    description: `${topic.title} stories matching ${query}, gathered by Tidings`,
    urls,
  };
}
