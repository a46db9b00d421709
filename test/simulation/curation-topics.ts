/**
 * Curation during the simulated week (issue #18): an admin creates a topic through the API,
 * changes its rules twice on later days (qualified rules among them), and deletes it near
 * the end; the service restarts in between. At the hour check after each change (and after
 * a restart) the topic's documents must follow its rules: every stored item of the
 * retention window the rules match is in a story of its feed documents (the current one or
 * an archive page), and every story they list has an item the rules match. After the
 * deletion, its feeds and pages answer 404.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import { classify, compileTopics } from '../../src/ingest/classify.ts';
import type { Service } from '../../src/main.ts';
import { htmlToPlainText } from '../../src/text/html-text.ts';

const SLUG = 'curated';
const RETENTION_DAYS = 90;
/** At most this many archive pages are walked. */
const MAX_PAGES = 200;

type Admin = (method: string, route: string, body?: unknown) => Promise<{ status: number; body: any }>;
interface Rules {
  include: string[];
  exclude: string[];
}

/** What the admin does, by simulated hour. */
const CHANGES: Array<{ hour: number; rules: Rules | null }> = [
  { hour: 8, rules: { include: ['title:summit', 'title:미사일'], exclude: ['weather'] } },
  { hour: 32, rules: { include: ['title:summit', 'source:"wire nk"', 'author:"herald national desk"'], exclude: ['title:weather'] } },
  { hour: 80, rules: { include: ['tariffs', 'title:위성'], exclude: [] } },
  { hour: 150, rules: null },
];

async function matchingStories(db: Kysely<DB>, rules: Rules, now: Date): Promise<{ expected: Set<number>; matching: Set<number> }> {
  const compiled = compileTopics([{ slug: SLUG, ...rules }]);
  const rows = await db
    .selectFrom('items as i')
    .innerJoin('sources as s', 's.id', 'i.source_id')
    .select((eb) => [
      'i.story_id',
      'i.title',
      'i.summary',
      'i.categories',
      'i.author',
      'i.published_at',
      's.title as source_title',
      's.url as source_url',
      eb.fn.coalesce('i.full_content_html', 'i.content_html').as('content_html'),
    ])
    .execute();
  const since = now.getTime() - RETENTION_DAYS * 86_400_000;
  const expected = new Set<number>();
  const matching = new Set<number>();
  for (const row of rows) {
    const text = { ...row, contentText: row.content_html ? htmlToPlainText(row.content_html) : '', source: { title: row.source_title, url: row.source_url } };
    if (classify(text, [], compiled).length === 0) continue;
    matching.add(row.story_id);
    if (row.published_at.getTime() >= since) expected.add(row.story_id);
  }
  return { expected, matching };
}

/** The story ids the topic's documents list: the current feed and every archive page. */
async function servedStories(db: Kysely<DB>, service: Service): Promise<Set<number>> {
  const publicUrl = service.context.publicUrl;
  const read = async (url: string) => (await (await fetch(url.replace(publicUrl, service.url))).json()) as { next_url?: string; items: Array<{ id: string }> };
  const guids: string[] = [];
  let page: { next_url?: string; items: Array<{ id: string }> } | undefined = await read(`${service.url}/topics/${SLUG}/feed.json`);
  for (let walked = 0; page !== undefined && walked < MAX_PAGES; walked++) {
    guids.push(...page.items.map((item) => item.id.replace(/^urn:uuid:/, '')));
    page = page.next_url === undefined ? undefined : await read(page.next_url);
  }
  if (guids.length === 0) return new Set();
  const rows = await db.selectFrom('stories').select(['id', 'guid']).where('guid', 'in', guids).execute();
  return new Set(rows.map((row) => row.id));
}

export interface CurationTopics {
  /** The admin's changes, for the week's action list. */
  actions: Array<{ hour: number; run: () => Promise<void> }>;
  /** The hour's invariant: checked after a change or a restart, else nothing to do. */
  check(): Promise<string[]>;
}

export function curationTopics(admin: Admin, service: () => Service, now: () => Date): CurationTopics {
  let rules: Rules | null = null;
  let deleted = false;
  let due = false;
  let checkedOn: Service | undefined;
  const problems: string[] = [];

  const actions = CHANGES.map(({ hour, rules: next }) => ({
    hour,
    run: async () => {
      const answer =
        next === null
          ? await admin('DELETE', `/topics/${SLUG}`)
          : rules === null
            ? await admin('POST', '/topics', { slug: SLUG, title: 'Curated', ...next })
            : await admin('PATCH', `/topics/${SLUG}`, next);
      const expected = next === null ? 200 : rules === null ? 201 : 200;
      if (answer.status !== expected || typeof answer.body.items?.enter !== 'number')
        problems.push(
          `${now().toISOString()}: topic ${next === null ? 'delete' : 'change'} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`,
        );
      rules = next;
      deleted = next === null;
      due = true;
    },
  }));

  return {
    actions,
    async check() {
      const current = service();
      if (!due && current === checkedOn) return problems.splice(0);
      due = false;
      checkedOn = current;
      if (rules === null && !deleted) return problems.splice(0);
      // The change is applied in the background: "within the hour" is once its work is done.
      await current.topicsSettled();
      await current.syncFeeds();
      const found = problems.splice(0);
      if (deleted) {
        for (const path of ['feed.json', 'rss.xml', 'digest/atom.xml', '']) {
          const status = (await fetch(`${current.url}/topics/${SLUG}/${path}`)).status;
          if (status !== 404) found.push(`deleted topic ${SLUG}: /topics/${SLUG}/${path} answers ${status}, not 404`);
        }
        return found;
      }
      const db = current.context.db;
      const { expected, matching } = await matchingStories(db, rules!, now());
      const served = await servedStories(db, current);
      const missing = [...expected].filter((id) => !served.has(id));
      const extra = [...served].filter((id) => !matching.has(id));
      if (missing.length > 0)
        found.push(`topic ${SLUG}: ${missing.length} stories its rules match are not in its documents (e.g. ${missing.slice(0, 5).join(', ')})`);
      if (extra.length > 0)
        found.push(`topic ${SLUG}: ${extra.length} stories in its documents match none of its rules (e.g. ${extra.slice(0, 5).join(', ')})`);
      if (expected.size === 0) found.push(`topic ${SLUG}: its rules ${JSON.stringify(rules)} match no stored item (the check proves nothing)`);
      return found;
    },
  };
}
