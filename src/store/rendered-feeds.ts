/**
 * All SQL about rendered documents. A document (topic, kind) has three formats, and they
 * are only ever written together: in one transaction, under one generation number from a
 * sequence, while holding a lock on the document. So every stored generation is the three
 * formats of one render, and a render cannot overwrite one made after it (the writer
 * renders under the lock; the regenerate-feeds job). Readers compare generations, never
 * timestamps, which come from the writers' clocks (src/http/feed-cache.ts).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, FeedFormat, FeedKind, RenderedFeed } from '../db/schema.ts';

export const FORMATS: readonly FeedFormat[] = ['rss', 'atom', 'json'];

export interface DocumentKey {
  topic: string;
  kind: FeedKind;
}

export interface RenderedBody {
  body: string;
  etag: string;
}

export interface StoredFormat extends RenderedBody {
  updated_at: Date;
}

/** The three formats of one generation of a document. */
export interface DocumentGeneration extends DocumentKey {
  generation: number;
  formats: Record<FeedFormat, StoredFormat>;
}

// The two-key form of advisory locks has its own key space (the one-key form is used by
// story grouping); the second key is a hash of the document, and a collision only makes
// two documents' regenerations wait for each other.
const DOCUMENT_LOCK_CLASS = 0x7464_6f63; // "tdoc"

/** Runs `work` in a transaction holding the document's lock (until commit). */
export async function withDocumentLock<T>(db: Kysely<DB>, key: DocumentKey, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${DOCUMENT_LOCK_CLASS}::int, hashtext(${`${key.topic}/${key.kind}`}))`.execute(trx);
    return work(trx);
  });
}

/** The ETags of the stored formats of a document (missing formats are absent). */
export async function storedEtags(db: Kysely<DB>, key: DocumentKey): Promise<Partial<Record<FeedFormat, string>>> {
  const rows = await db.selectFrom('rendered_feeds').select(['format', 'etag']).where('topic', '=', key.topic).where('kind', '=', key.kind).execute();
  return Object.fromEntries(rows.map((row) => [row.format, row.etag]));
}

/**
 * Writes the three formats as a new generation (call it under withDocumentLock). A format
 * whose bytes did not change keeps its Last-Modified, so If-Modified-Since still answers 304.
 */
export async function saveGeneration(trx: Transaction<DB>, key: DocumentKey, bodies: Record<FeedFormat, RenderedBody>, now: Date): Promise<DocumentGeneration> {
  const { generation } = (await sql<{ generation: number }>`select nextval('rendered_feed_generations') as generation`.execute(trx)).rows[0]!;
  const rows = await trx
    .insertInto('rendered_feeds')
    .values(FORMATS.map((format) => ({ ...key, format, body: bodies[format].body, etag: bodies[format].etag, updated_at: now, generation })))
    .onConflict((oc) =>
      oc.columns(['topic', 'kind', 'format']).doUpdateSet((eb) => ({
        body: eb.ref('excluded.body'),
        etag: eb.ref('excluded.etag'),
        generation: eb.ref('excluded.generation'),
        updated_at: sql<Date>`case when rendered_feeds.etag = excluded.etag then rendered_feeds.updated_at else excluded.updated_at end`,
      })),
    )
    .returning(['format', 'updated_at'])
    .execute();
  const updatedAt = new Map(rows.map((row) => [row.format, row.updated_at]));
  const formats = Object.fromEntries(FORMATS.map((format) => [format, { ...bodies[format], updated_at: updatedAt.get(format)! }])) as Record<
    FeedFormat,
    StoredFormat
  >;
  return { ...key, generation, formats };
}

/** The current generation of every stored document: a few small values, no bodies. */
export async function documentGenerations(db: Kysely<DB>): Promise<Array<DocumentKey & { generation: number }>> {
  return db
    .selectFrom('rendered_feeds')
    .select(['topic', 'kind', (eb) => eb.fn.max('generation').as('generation')])
    .groupBy(['topic', 'kind'])
    .execute();
}

// Two bind parameters a document: far below the 65,535 a statement allows.
const LOAD_CHUNK = 1_000;

/**
 * The stored generations of the given documents, each read by one statement (one snapshot),
 * so its three formats are of one generation. A document not stored complete is left out.
 */
export async function loadDocumentGenerations(db: Kysely<DB>, keys: readonly DocumentKey[]): Promise<DocumentGeneration[]> {
  const loaded: DocumentGeneration[] = [];
  for (let start = 0; start < keys.length; start += LOAD_CHUNK) {
    const chunk = keys.slice(start, start + LOAD_CHUNK);
    const rows = await db
      .selectFrom('rendered_feeds')
      .select(['topic', 'kind', 'format', 'body', 'etag', 'updated_at', 'generation'])
      .where((eb) => eb.or(chunk.map((key) => eb.and([eb('topic', '=', key.topic), eb('kind', '=', key.kind)]))))
      .execute();
    loaded.push(...groupGenerations(rows));
  }
  return loaded;
}

function groupGenerations(rows: readonly RenderedFeed[]): DocumentGeneration[] {
  const byDocument = new Map<string, RenderedFeed[]>();
  for (const row of rows) {
    const id = `${row.kind}\n${row.topic}`;
    byDocument.set(id, [...(byDocument.get(id) ?? []), row]);
  }
  const documents: DocumentGeneration[] = [];
  for (const formats of byDocument.values()) {
    const [first] = formats;
    if (formats.length !== FORMATS.length || formats.some((row) => row.generation !== first!.generation)) continue;
    documents.push({
      topic: first!.topic,
      kind: first!.kind,
      generation: first!.generation,
      formats: Object.fromEntries(formats.map((row) => [row.format, { body: row.body, etag: row.etag, updated_at: row.updated_at }])) as Record<
        FeedFormat,
        StoredFormat
      >,
    });
  }
  return documents;
}

export async function findRenderedFeed(db: Kysely<DB>, topic: string, kind: FeedKind, format: FeedFormat): Promise<RenderedFeed | undefined> {
  return db.selectFrom('rendered_feeds').selectAll().where('topic', '=', topic).where('kind', '=', kind).where('format', '=', format).executeTakeFirst();
}
