/**
 * Search at scale (src/store/search.ts): the topic feed's `?q=` over the items fillItems
 * (scale.ts) stored. Each item's summary names one of 1,000 common words (`w…`, a thousand
 * items each) and one of 50,000 rare ones (`v…`, twenty each), so the queries span the
 * index's two regimes: a word in nearly every item of the topic (the planner walks the
 * topic's newest stories) and a word in a handful (it reads the word's few items).
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.ts';
import { searchTopicStories } from '../src/store/search.ts';
import { htmlToPlainText } from '../src/text/html-text.ts';
import { searchTokens } from '../src/text/search-tokens.ts';

/** The queries timed: every story, a common word, a rare word, a phrase with a rare word. */
export const SEARCH_QUERIES = ['scale story', 'w123', 'v12345', '"story 12345"'] as const;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The fill's literal tokens must be the tokenizer's: check a few stored items. */
async function checkFilledTokens(db: Kysely<DB>): Promise<void> {
  const rows = await sql<{ title: string; summary: string; content_html: string; search_tokens: string[] }>`
    select title, summary, content_html, search_tokens from items where item_key like 'scale-%' order by id limit 3`.execute(db);
  for (const row of rows.rows) {
    const expected = searchTokens({ ...row, categories: [], contentText: htmlToPlainText(row.content_html) });
    if ([...expected].sort().join(' ') !== [...row.search_tokens].sort().join(' ')) {
      throw new Error(`bench fill's search tokens differ from the tokenizer's: ${row.search_tokens.join(' ')} vs ${expected.join(' ')}`);
    }
  }
}

/** Median milliseconds of each query (50 results, the default feed length), and the slowest of them. */
export async function timeSearches(db: Kysely<DB>, topic: string, runs = 7): Promise<{ perQuery: Record<string, number>; slowest: number }> {
  await checkFilledTokens(db);
  const perQuery: Record<string, number> = {};
  for (const q of SEARCH_QUERIES) {
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      await searchTopicStories(db, topic, q, { limit: 50 });
      times.push(performance.now() - started);
    }
    perQuery[q] = median(times);
  }
  return { perQuery, slowest: Math.max(...Object.values(perQuery)) };
}
