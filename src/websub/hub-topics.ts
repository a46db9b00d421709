/**
 * The topics the built-in hub serves: the URLs of Tidings' own documents, each naming the
 * stored document it is (a subscription to any other URL is refused, WebSub §5.1).
 */
import type { FeedFormat, FeedKind } from '../db/schema.ts';
import { topicFeedUrls } from '../render/topic-feed.ts';

export interface HubTopic {
  topic: string;
  kind: FeedKind;
  format: FeedFormat;
}

export function hubTopics(topics: readonly { slug: string }[], publicUrl: string): Map<string, HubTopic> {
  const byUrl = new Map<string, HubTopic>();
  for (const { slug } of topics) {
    for (const kind of ['feed', 'digest'] as const) {
      const urls = topicFeedUrls(publicUrl, slug, kind);
      for (const format of ['rss', 'atom', 'json'] as const) byUrl.set(urls[format], { topic: slug, kind, format });
    }
  }
  return byUrl;
}
