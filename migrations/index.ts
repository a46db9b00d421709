/**
 * Every migration, in order. A static list rather than a folder scan: kysely's
 * FileMigrationProvider cannot import .ts files under vitest (docs/architecture.md).
 * Never edit a migration once it has landed; add a new one. landed.json holds the checksum
 * of every landed file, and test/unit/db/migrations-landed.test.ts fails when one changes.
 */
import type { Migration } from 'kysely';
import * as sourcesAndItems from './2026-11-24T00-00-sources-and-items.ts';
import * as storiesTopicsRenderedFeeds from './2026-11-24T01-00-stories-topics-rendered-feeds.ts';
import * as digests from './2026-11-24T02-00-digests.ts';
import * as nearDuplicates from './2026-11-24T03-00-near-duplicates.ts';
import * as pollEvents from './2026-11-24T04-00-poll-events.ts';
import * as hostPoliteness from './2026-11-24T05-00-host-politeness.ts';
import * as ungroupedIndexFirstForm from './2026-11-24T06-00-ungrouped-index-first-form.ts';
import * as provisionalStories from './2026-11-25T00-00-provisional-stories.ts';
import * as itemStatistics from './2026-12-01T00-00-item-statistics.ts';
import * as renderedFeedGenerations from './2026-12-02T00-00-rendered-feed-generations.ts';
import * as establishedIntervals from './2026-12-02T01-00-established-intervals.ts';
import * as sourceMerges from './2026-12-02T02-00-source-merges.ts';
import * as itemTruncation from './2026-12-02T03-00-item-truncation.ts';
import * as sourceDeletion from './2026-12-02T04-00-source-deletion.ts';
import * as adminSessions from './2026-12-02T05-00-admin-sessions.ts';
import * as itemOwnSite from './2026-12-02T06-00-item-own-site.ts';
import * as bucketKeysFastupdate from './2026-12-02T07-00-bucket-keys-fastupdate.ts';
import * as sourceTimezone from './2026-12-02T08-30-source-timezone.ts';
import * as adminPageResults from './2026-12-03T00-00-admin-page-results.ts';
import * as sourceBasicAuth from './2026-12-03T01-00-source-basic-auth.ts';
import * as sourceNewestItem from './2026-12-03T02-00-source-newest-item.ts';
import * as itemFullContent from './2026-12-04T00-00-item-full-content.ts';
import * as itemSearchIndex from './2026-12-04T01-00-item-search-index.ts';
import * as topicArchives from './2026-12-04T02-00-topic-archives.ts';
import * as websubPublishing from './2026-12-04T03-00-websub-publishing.ts';
import * as websubSourceSubscriptions from './2026-12-04T04-00-websub-source-subscriptions.ts';
import * as adminTopics from './2026-12-05T00-00-admin-topics.ts';
import * as storyCuration from './2026-12-05T01-00-story-curation.ts';
import * as topicArchivePending from './2026-12-05T02-00-topic-archive-pending.ts';

export const migrations: Record<string, Migration> = {
  '2026-11-24T00-00-sources-and-items': sourcesAndItems,
  '2026-11-24T01-00-stories-topics-rendered-feeds': storiesTopicsRenderedFeeds,
  '2026-11-24T02-00-digests': digests,
  '2026-11-24T03-00-near-duplicates': nearDuplicates,
  '2026-11-24T04-00-poll-events': pollEvents,
  '2026-11-24T05-00-host-politeness': hostPoliteness,
  '2026-11-24T06-00-ungrouped-index-first-form': ungroupedIndexFirstForm,
  '2026-11-25T00-00-provisional-stories': provisionalStories,
  '2026-12-01T00-00-item-statistics': itemStatistics,
  '2026-12-02T00-00-rendered-feed-generations': renderedFeedGenerations,
  '2026-12-02T01-00-established-intervals': establishedIntervals,
  '2026-12-02T02-00-source-merges': sourceMerges,
  '2026-12-02T03-00-item-truncation': itemTruncation,
  '2026-12-02T04-00-source-deletion': sourceDeletion,
  '2026-12-02T05-00-admin-sessions': adminSessions,
  '2026-12-02T06-00-item-own-site': itemOwnSite,
  '2026-12-02T07-00-bucket-keys-fastupdate': bucketKeysFastupdate,
  '2026-12-02T08-30-source-timezone': sourceTimezone,
  '2026-12-03T00-00-admin-page-results': adminPageResults,
  '2026-12-03T01-00-source-basic-auth': sourceBasicAuth,
  '2026-12-03T02-00-source-newest-item': sourceNewestItem,
  '2026-12-04T00-00-item-full-content': itemFullContent,
  '2026-12-04T01-00-item-search-index': itemSearchIndex,
  '2026-12-04T02-00-topic-archives': topicArchives,
  '2026-12-04T03-00-websub-publishing': websubPublishing,
  '2026-12-04T04-00-websub-source-subscriptions': websubSourceSubscriptions,
  '2026-12-05T00-00-admin-topics': adminTopics,
  '2026-12-05T01-00-story-curation': storyCuration,
  '2026-12-05T02-00-topic-archive-pending': topicArchivePending,
};
