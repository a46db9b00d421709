import { sql, type Kysely } from 'kysely';
import { htmlToPlainText } from '../src/text/html-text.ts';
import { searchTokens } from '../src/text/search-tokens.ts';

/**
 * Search in a topic's feeds (`?q=`, src/store/search.ts): each item's search tokens
 * (src/text/search-tokens.ts: words, and characters and character pairs of Hangul, Han
 * and Kana) in a GIN-indexed array, which PGlite supports as PostgreSQL does (pg_trgm and
 * other extensions it lacks are not needed). New items get theirs at upsert; stored items
 * are filled here, a page at a time, before the index is built (one build is far cheaper
 * than maintaining it row by row). The tokens are computed by the application's tokenizer:
 * a later change to it that alters tokens needs a migration that fills them again.
 */
const PAGE = 1000;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table items add column search_tokens text[] not null default '{}'`.execute(db);
  let after = 0;
  for (;;) {
    const page = await sql<{ id: number; title: string; summary: string; categories: string[]; content_html: string | null }>`
      select id, title, summary, categories, content_html from items where id > ${after} order by id limit ${PAGE}`.execute(db);
    if (page.rows.length === 0) break;
    const rows = page.rows.map((row) => ({
      id: row.id,
      tokens: searchTokens({ ...row, contentText: row.content_html ? htmlToPlainText(row.content_html) : '' }),
    }));
    await sql`
      update items set search_tokens = r.tokens
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id bigint, tokens text[])
      where items.id = r.id`.execute(db);
    after = Number(page.rows.at(-1)!.id);
  }
  await sql`create index items_search_tokens_idx on items using gin (search_tokens)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table items drop column search_tokens`.execute(db);
}
