/**
 * Figures at scale: fills the database with N stored items (generated in SQL, each its own
 * story, a third of them in the benchmark topic), then times regenerating that topic's
 * feed and the story look-up (candidate query + decision + assignment) for one new item;
 * bench/search.ts times searches in the topic on the same items.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.ts';
import { itemFeatures } from '../src/ingest/read-feed.ts';
import { seededRandom } from './corpus.ts';
import { storyGrouping } from '../src/dedupe/index.ts';
import { parseFeedsConfig } from '../src/config/load-config.ts';
import { upsertItems } from '../src/store/items.ts';
import { groupPendingItems } from '../src/store/story-assignment.ts';
import { addStoryTopics } from '../src/store/stories.ts';
import { archiveFullPages } from '../src/store/topic-archive.ts';
import type { RegenerateContext } from '../jobs/regenerate-feeds.ts';
import { regenerateFeeds } from '../jobs/regenerate-feeds.ts';

const BATCH = 100_000;

/** Inserts `count` items (and their stories and topics) in batches; returns seconds spent. */
export async function fillItems(db: Kysely<DB>, count: number, topic: string, now: Date): Promise<number> {
  const started = performance.now();
  await sql`insert into sources (url, title, origin) select 'https://scale' || g || '.example/feed', 'Scale outlet ' || g, 'admin' from generate_series(1, 100) g on conflict do nothing`.execute(
    db,
  );
  const first = (await sql<{ id: number }>`select min(id)::int as id from sources where url like 'https://scale%'`.execute(db)).rows[0]!.id;
  // The bucket-key index is built once at the end: maintaining it row by row is far slower.
  await sql`drop index if exists items_bucket_keys_idx`.execute(db);
  await sql`drop index if exists items_search_tokens_idx`.execute(db);
  for (let start = 0; start < count; start += BATCH) {
    const end = Math.min(count, start + BATCH);
    await sql`
      insert into items (source_id, item_key, url, canonical_url, title, summary, content_html, published_at, first_seen_at, changed_at,
                         content_hash, topics, fingerprint, lead_fingerprint, bucket_keys, title_key, numbers, body_length, signature_version, search_tokens)
      select ${first}::bigint + (g % 100), 'scale-' || g, 'https://scale.example/news/' || g, 'https://scale.example/news/' || g,
             'Scale story number ' || g, 'Summary of scale story ' || g || ' on w' || (g % 1000) || ' and v' || (g % 50000) || '.',
             '<p>Body of scale story ' || g || '.</p>',
             ${now}::timestamptz - (g % 2592000) * interval '1 second', ${now}::timestamptz, ${now}::timestamptz, md5(g::text),
             case when g % 3 = 0 then array[${topic}]::text[] else '{}'::text[] end,
             (random() * 9e18)::bigint, (random() * 9e18)::bigint,
             array(select (random() * 9e18)::bigint + g * 0 from generate_series(1, 13)),
             array['scale', 'story', g::text], array[g::text], 200, 1,
             -- The tokens src/text/search-tokens.ts gives this text (bench/search.ts checks a sample).
             array['scale', 'story', 'number', g::text, 'summary', 'of', 'on', 'w' || (g % 1000), 'and', 'v' || (g % 50000), 'body']
      from generate_series(${start + 1}::int, ${end}::int) g`.execute(db);
  }
  // Each item was stored with a story id of its own (as a poll stores it); create those stories.
  await sql`
    insert into stories (id, representative_item_id, published_at, first_seen_at, updated_at) overriding system value
    select story_id, id, published_at, first_seen_at, first_seen_at from items where item_key like 'scale-%'`.execute(db);
  // As polls add them: queued for the archive, which the first regeneration fills.
  await addStoryTopics(sql`
    insert into story_topics (topic, story_id, published_at)
    select ${topic}, story_id, published_at from items where item_key like 'scale-%' and ${topic} = any(topics)
    on conflict do nothing`).execute(db);
  // Archived as regenerations would have archived them over time, 50 at a time: the timed
  // regenerations then find a short queue, as a service that has run for months does.
  await db.transaction().execute((trx) => archiveFullPages(trx, topic));
  await sql`create index items_bucket_keys_idx on items using gin (bucket_keys) with (fastupdate = off)`.execute(db);
  await sql`create index items_search_tokens_idx on items using gin (search_tokens)`.execute(db);
  await sql`vacuum analyze topic_archive_pending`.execute(db);
  await sql`analyze`.execute(db);
  return (performance.now() - started) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Median milliseconds to regenerate one topic's three documents (forced: no early exit). */
export async function timeRegeneration(ctx: RegenerateContext, topic: string, runs = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await sql`delete from rendered_feeds where topic = ${topic}`.execute(ctx.db);
    const started = performance.now();
    await regenerateFeeds(ctx, { topics: [topic], kinds: ['feed'] });
    times.push(performance.now() - started);
  }
  return median(times);
}

/** A new item with text of its own: runs must not share bucket keys (deleted rows linger in the index). */
function lookupItem(run: number, i: number) {
  const random = seededRandom(run * 1000 + i + 1);
  const words = Array.from({ length: 160 }, () => `w${Math.floor(random() * 50_000)}`);
  const item = {
    key: `lookup-${run}-${i}`,
    url: `https://lookup.example/${run}/${i}`,
    title: words.slice(0, 8).join(' '),
    summary: words.slice(8, 30).join(' '),
    contentHtml: `<p>${words.join(' ')}.</p>`,
    author: null,
    categories: [],
    publishedAt: new Date(),
    updatedAt: null,
    enclosure: null,
    truncated: [],
  };
  const { canonicalUrl, contentHash, signature } = itemFeatures(item);
  return { ...item, canonicalUrl, contentHash, ownSite: true, topics: ['bench'], signature };
}

/**
 * Median milliseconds per item to place new items into stories at this scale, as a poll's
 * items are placed once committed (groupPendingItems): the look-up on the bucket-key index,
 * the decision, the assignment and the story refresh, for a poll batch of `batch` items.
 * Each run's items, and the stories they founded, are deleted after it, so every run sees
 * the same database.
 */
export async function timeStoryLookup(db: Kysely<DB>, batch: number, runs = 20): Promise<number> {
  const grouping = storyGrouping(parseFeedsConfig({}, 'bench').dedupe);
  const source = (await sql<{ id: number }>`select min(id)::int as id from sources`.execute(db)).rows[0]!.id;
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const written = await db.transaction().execute((trx) =>
      upsertItems(
        trx,
        source,
        Array.from({ length: batch }, (_, i) => lookupItem(run, i)),
        new Date(),
      ),
    );
    const started = performance.now();
    await groupPendingItems(db, new Date(), grouping);
    times.push((performance.now() - started) / batch);
    await deleteItems(db, written.insertedIds);
  }
  return median(times);
}

/** Deletes a run's items with the stories they founded (their own text: nothing else joined them). */
async function deleteItems(db: Kysely<DB>, ids: number[]): Promise<void> {
  await sql`delete from stories where representative_item_id = any(${ids}::bigint[])`.execute(db);
  await sql`delete from items where id = any(${ids}::bigint[])`.execute(db);
}
