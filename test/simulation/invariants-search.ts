/**
 * Search invariants (`?q=` on a topic feed), checked each simulated hour the topic feed
 * changed. Queries are taken from the newest entry's title: a Latin word, a Korean word cut
 * to its first two syllables (a substring of longer words), and two words that must both
 * match. The oracle here is independent of src/text/: lower-cased NFKC text, Latin words on
 * letter/digit boundaries, Hangul as substrings.
 * - every story a search returns belongs to the topic and its entry's text matches;
 * - every entry of the topic feed whose text matches is among the results (a matching story
 *   is found), the entry the query came from first of all.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import { htmlToPlainText } from '../../src/text/html-text.ts';

interface JsonEntry {
  id: string;
  title: string;
}

const HANGUL = /\p{Script=Hangul}/u;

/** Whether the text holds the word: Hangul as a substring, anything else between non-letters. */
function holds(text: string, word: string): boolean {
  if (HANGUL.test(word)) return text.includes(word);
  let from = 0;
  for (;;) {
    const at = text.indexOf(word, from);
    if (at < 0) return false;
    const before = text.slice(0, at).at(-1);
    const after = text[at + word.length];
    const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}\p{M}]/u.test(c);
    if (!isWordChar(before) && !isWordChar(after)) return true;
    from = at + 1;
  }
}

/** The queries to try on a title: each a list of words that must all match. */
export function queriesFrom(title: string): string[][] {
  const words = title
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  const latin = words.filter((w) => !HANGUL.test(w) && w.length >= 4);
  const korean = words.filter((w) => HANGUL.test(w) && Array.from(w).length >= 2);
  const queries: string[][] = [];
  if (latin[0]) queries.push([latin[0]]);
  if (korean[0]) queries.push([Array.from(korean[0]).slice(0, 2).join('')]);
  const pair = [...latin, ...korean].slice(0, 2);
  if (pair.length === 2 && pair[0] !== pair[1]) queries.push(pair);
  return queries;
}

interface StoryText {
  guid: string;
  text: string;
  inTopic: boolean;
}

async function storyTexts(db: Kysely<DB>, topic: string, guids: string[]): Promise<Map<string, StoryText>> {
  if (guids.length === 0) return new Map();
  const rows = await sql<{ guid: string; title: string; summary: string; categories: string[]; content_html: string | null; in_topic: boolean }>`
    select s.guid, i.title, i.summary, i.categories,
           -- what readers see, and what search looks in: an article from the item's page first
           coalesce(i.full_content_html, i.content_html) as content_html,
           exists (select 1 from story_topics st where st.story_id = s.id and st.topic = ${topic}) as in_topic
    from stories s join items i on i.id = s.representative_item_id
    where s.guid = any(${guids}::uuid[])`.execute(db);
  return new Map(
    rows.rows.map((r) => {
      const content = r.content_html ? htmlToPlainText(r.content_html) : '';
      const text = [r.title, r.summary, r.categories.join('\n'), content].join('\n').normalize('NFKC').toLowerCase();
      return [r.guid, { guid: r.guid, text, inTopic: r.in_topic }];
    }),
  );
}

const guidOf = (entry: JsonEntry) => entry.id.replace(/^urn:uuid:/, '');

/** Checks searches of `topic` against its served feed (`json`, the default document) and the database. */
export async function checkSearches(name: string, db: Kysely<DB>, baseUrl: string, topic: string, json: string): Promise<string[]> {
  const window = (JSON.parse(json) as { items: JsonEntry[] }).items;
  if (window.length === 0) return [];
  const problems: string[] = [];
  for (const words of queriesFrom(window[0]!.title)) {
    const q = words.join(' ');
    const response = await fetch(`${baseUrl}/topics/${topic}/feed.json?q=${encodeURIComponent(q)}&limit=500`);
    if (response.status !== 200) {
      problems.push(`${name}: search "${q}" answered ${response.status}`);
      continue;
    }
    const results = ((await response.json()) as { items: JsonEntry[] }).items.map(guidOf);
    const texts = await storyTexts(db, topic, [...new Set([...results, ...window.map(guidOf)])]);
    const matches = (guid: string) => {
      const story = texts.get(guid);
      return story !== undefined && words.every((word) => holds(story.text, word));
    };
    for (const guid of results) {
      const story = texts.get(guid);
      if (!story?.inTopic) problems.push(`${name}: search "${q}" returned story ${guid}, which is not in the topic`);
      else if (!matches(guid)) problems.push(`${name}: search "${q}" returned story ${guid}, whose entry does not hold every word`);
    }
    const found = new Set(results);
    for (const entry of window) {
      if (matches(guidOf(entry)) && !found.has(guidOf(entry))) problems.push(`${name}: search "${q}" missed "${entry.title}" (${guidOf(entry)})`);
    }
  }
  return problems;
}
