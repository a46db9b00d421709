/**
 * The serving cache against the real store: whatever a sync reads while another process is
 * regenerating, it holds the three formats of one generation of each document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regenerateFeeds } from '../../jobs/regenerate-feeds.ts';
import type { FeedFormat } from '../../src/db/schema.ts';
import { createFeedCache } from '../../src/http/feed-cache.ts';
import { documentGenerations, loadDocumentGenerations } from '../../src/store/rendered-feeds.ts';
import { fixedTopics } from '../../src/topic-registry.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testConfig, testContext } from '../helpers/context.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

const FORMATS: FeedFormat[] = ['rss', 'atom', 'json'];

describe('feed cache syncing from the database', () => {
  it('never holds formats of two generations, even when it syncs while a regeneration is writing', async () => {
    const { db } = database;
    const cache = createFeedCache({ generations: () => documentGenerations(db), documents: (keys) => loadDocumentGenerations(db, keys) });
    const regenerate = testContext(database, testConfig());
    /** Which render each format held comes from: the topic title is in all three. */
    const heldRenders = () => {
      const docs = FORMATS.map((format) => cache.get('korea', 'feed', format));
      return {
        generations: new Set(docs.map((doc) => doc?.generation)),
        titles: new Set(docs.map((doc) => /Korea (\d+)/.exec(doc?.body.toString() ?? '')?.[1])),
      };
    };
    for (let n = 1; n <= 15; n++) {
      // Another process renders the topic under a new title, while this one keeps syncing.
      let writing = true;
      const regeneration = regenerateFeeds(
        { ...regenerate, topics: fixedTopics([{ ...regenerate.topics.current().list[0]!, title: `Korea ${n}` }]) },
        { topics: ['korea'], kinds: ['feed'] },
      ).finally(() => (writing = false));
      do {
        await cache.sync();
        const held = heldRenders();
        expect(held.generations.size).toBe(1);
        expect(held.titles.size).toBe(1);
      } while (writing);
      await regeneration;
      await cache.sync();
      expect(heldRenders().titles).toEqual(new Set([String(n)]));
    }
  });
});
