/**
 * OPML import and export of the sources. Import maps reader folders and `category`
 * entries to topics by slug or title (case-insensitive); anything else is reported as
 * unmatched and ignored. Imported sources are not fetched here: they are due at once,
 * the next poll fetches them (through the SSRF guard) and records their health.
 */
import { OpmlError, parseOpml } from '../ingest/opml-parse.ts';
import { renderOpml } from '../render/opml.ts';
import { insertAdminSources, type NewAdminSource } from '../store/source-admin.ts';
import { listSources, sourcesByUrl } from '../store/source-reads.ts';
import type { AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { sourceName } from './wording.ts';
import { checkTitle, parseFeedUrl } from './validate.ts';

export interface OpmlImportSummary {
  added: Array<{ id: number; url: string; title: string | null; topics: string[] }>;
  /** Already sources: left as they are. */
  existing: Array<{ id: number; url: string }>;
  invalid: Array<{ url: string | null; title: string | null; reason: string }>;
  /** Folder or category names that match no topic (ignored). */
  unmatchedCategories: string[];
}

export async function importOpml(ctx: AdminContext, text: string): Promise<OpmlImportSummary> {
  let parsed: ReturnType<typeof parseOpml>;
  try {
    parsed = parseOpml(text);
  } catch (error) {
    if (error instanceof OpmlError) throw new AdminError('unprocessable', 'invalid_opml', error.message);
    throw error;
  }
  const topicOf = topicMatcher(ctx);
  const unmatched = new Set<string>();
  const invalid: OpmlImportSummary['invalid'] = parsed.problems.map((p) => ({ url: null, title: p.title, reason: p.reason }));
  const wanted = new Map<string, NewAdminSource>(); // by normalized URL; repeats merge their topics
  for (const feed of parsed.feeds) {
    let url: string;
    let title: string | null;
    try {
      url = parseFeedUrl(feed.url);
      title = checkTitle(feed.title);
    } catch (error) {
      if (!(error instanceof AdminError)) throw error;
      invalid.push({ url: feed.url, title: feed.title, reason: error.message });
      continue;
    }
    const topics: string[] = [];
    for (const category of feed.categories) {
      const slug = topicOf(category);
      if (slug === undefined) unmatched.add(category);
      else if (!topics.includes(slug)) topics.push(slug);
    }
    const seen = wanted.get(url);
    if (seen) seen.topics = [...new Set([...seen.topics, ...topics])];
    else wanted.set(url, { url, title, topics });
  }

  const existing = await sourcesByUrl(ctx.db, [...wanted.keys()]);
  const existingUrls = new Set(existing.map((s) => s.url));
  const added = await insertAdminSources(
    ctx.db,
    [...wanted.values()].filter((s) => !existingUrls.has(s.url)),
    ctx.now(),
  );
  const addedUrls = new Set(added.map((s) => s.url));
  // Anything neither added nor seen before was added concurrently by someone else.
  const raced = await sourcesByUrl(
    ctx.db,
    [...wanted.keys()].filter((url) => !existingUrls.has(url) && !addedUrls.has(url)),
  );
  const summary: OpmlImportSummary = {
    added: added.map((s) => ({ id: s.id, url: s.url, title: s.title, topics: s.topics })),
    existing: [...existing, ...raced].map((s) => ({ id: s.id, url: s.url })),
    invalid,
    unmatchedCategories: [...unmatched],
  };
  ctx.log.info(
    { action: 'opml.import', added: summary.added.length, existing: summary.existing.length, invalid: invalid.length },
    'admin imported an OPML list',
  );
  return summary;
}

/** A category name → the topic slug it names (by slug or title, case-insensitively). */
function topicMatcher(ctx: AdminContext): (category: string) => string | undefined {
  const byName = new Map<string, string>();
  for (const topic of ctx.topics.current().list) {
    byName.set(topic.title.trim().toLowerCase(), topic.slug);
    byName.set(topic.slug, topic.slug);
  }
  return (category) => byName.get(category.trim().toLowerCase());
}

/** Every source as OPML 2.0, its topics in the category attribute (which importOpml reads back). */
export async function exportOpml(ctx: AdminContext): Promise<string> {
  const sources = await listSources(ctx.db);
  return renderOpml(
    'Tidings sources',
    sources.map((s) => ({ title: sourceName(s), xmlUrl: s.url, htmlUrl: s.site_url, category: s.topics.join(',') || undefined })),
    ctx.now(),
  );
}
