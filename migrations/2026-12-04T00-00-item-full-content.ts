import { sql, type Kysely } from 'kysely';

/**
 * Full article text for summary-only feeds (src/ingest/full-content.ts). A source with
 * `full_content` has each new or changed item's page fetched and its article extracted:
 * - `full_content_html`: the extracted article, sanitized; outputs, grouping and topic
 *   rules use it instead of the feed's content (null: none, the feed's content stands);
 * - `full_content_for`: the item's content_hash the page was fetched for (null: not yet),
 *   so a page is fetched once per item version and never again while the item is unchanged;
 * - `full_content_error`: why the last extraction failed ("code: message"; null when fine);
 * - `full_content_etag`, `full_content_last_modified`: the page's validators, for the
 *   conditional GET when a changed item's page is fetched again (RFC 9110 §13.1).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sources add column full_content boolean not null default false`.execute(db);
  await sql`
    alter table items
      add column full_content_html text,
      add column full_content_for text,
      add column full_content_error text,
      add column full_content_etag text,
      add column full_content_last_modified text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table items
      drop column full_content_html,
      drop column full_content_for,
      drop column full_content_error,
      drop column full_content_etag,
      drop column full_content_last_modified`.execute(db);
  await sql`alter table sources drop column full_content`.execute(db);
}
