/** Source and OPML commands: the same use-cases as the admin API, on the same database. */
import { readFileSync } from 'node:fs';
import type { AdminApi } from '../admin/api.ts';
import { sourceState } from '../admin/source-view.ts';
import type { AppContext } from '../app-context.ts';
import type { FeedsConfig } from '../config/feeds-config.ts';
import { formatTable, relativeTime } from '../render/text-table.ts';
import { listSourcesWithHealth, type SourceHealth } from '../store/source-reads.ts';
import { NO_SOURCES, UsageError, type Io, type OpenAdmin } from './cli-io.ts';

export async function sourcesListCommand(ctx: AppContext, io: Io, json: boolean): Promise<number> {
  try {
    const now = ctx.now();
    const sources = await listSourcesWithHealth(ctx.db, now);
    io.out(json ? JSON.stringify(sources, null, 2) : formatSources(sources, now));
    return 0;
  } finally {
    await ctx.close();
  }
}

function formatSources(sources: SourceHealth[], now: Date): string {
  if (sources.length === 0) return NO_SOURCES;
  return formatTable(sources, [
    { header: 'ID', value: (s) => s.id },
    { header: 'TITLE', value: (s) => s.title, maxWidth: 32 },
    { header: 'URL', value: (s) => s.url, maxWidth: 60 },
    { header: 'TOPICS', value: (s) => s.topics.join(',') || null, maxWidth: 32 },
    { header: 'STATE', value: (s) => sourceState(s, now) },
    { header: 'LAST POLL', value: (s) => relativeTime(s.last_polled_at, now) },
    { header: 'LAST OK', value: (s) => relativeTime(s.last_success_at, now) },
    // A time already past is when the source became due: the next poll cycle takes it.
    { header: 'NEXT', value: (s) => (!s.enabled ? null : s.next_poll_at <= now ? 'due now' : relativeTime(s.next_poll_at, now)) },
    { header: 'FAILS', value: (s) => s.consecutive_failures },
    { header: 'ITEMS', value: (s) => s.items_total },
    { header: '7D', value: (s) => s.items_last_7_days },
    // fullContent: articles not extracted in the last 7 days (their feed's own text stands).
    { header: 'FULL TEXT', value: (s) => (!s.full_content ? null : Number(s.full_content_failures) > 0 ? `${s.full_content_failures} failed` : 'on') },
    { header: 'ERROR', value: (s) => (s.error_code ? `${s.error_code}: ${s.error_message}` : s.disabled_reason), maxWidth: 90 },
  ]);
}

/** The admin commands: the same use-cases as the admin API, on the same database. */
export async function adminCommand(
  open: OpenAdmin,
  config: FeedsConfig,
  io: Io,
  command: string,
  args: string[],
  options: { json: boolean; topic?: string[] | undefined; title?: string | undefined },
): Promise<number> {
  const [argument, ...extra] = args;
  if (command !== 'opml export' && argument === undefined)
    throw new UsageError(`${command} needs ${command === 'opml import' ? 'a FILE' : command === 'sources add' ? 'a URL' : 'an ID'}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  // Read the file before opening the database, so a typo fails fast.
  const opml = command === 'opml import' ? readOpmlFile(argument!) : '';
  // opml export only reads.
  const { ctx, api } = await open(config, { migrate: command !== 'opml export' });
  try {
    switch (command) {
      case 'sources add':
        return await sourcesAdd(api, io, argument!, options);
      case 'sources remove':
        return await sourcesRemove(api, io, argument!, options.json);
      case 'opml import':
        return opmlImportResult(io, await api.importOpml(opml), options.json);
      default:
        io.out((await api.exportOpml()).trimEnd());
        return 0;
    }
  } finally {
    await ctx.close();
  }
}

function readOpmlFile(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function sourcesAdd(
  api: AdminApi,
  io: Io,
  url: string,
  options: { json: boolean; topic?: string[] | undefined; title?: string | undefined },
): Promise<number> {
  const outcome = await api.addSource({ url, title: options.title, topics: options.topic ?? [] });
  if (options.json) io.out(JSON.stringify(outcome, null, 2));
  if (outcome.kind === 'choices') {
    if (!options.json)
      io.out(
        formatTable(outcome.choices, [
          { header: 'FEED', value: (c) => c.url, maxWidth: 100 },
          { header: 'TITLE', value: (c) => c.title, maxWidth: 60 },
          { header: 'ITEMS', value: (c) => c.itemCount },
        ]),
      );
    io.err(`tidings: ${outcome.pageUrl} is a web page, not a feed; add one of the feeds it offers (listed above)`);
    return 1;
  }
  if (outcome.kind !== 'added' || options.json) return 0;
  const { source, feed } = outcome;
  io.out(`Added source #${source.id}: ${source.title ?? feed.title ?? source.url} <${source.url}>`);
  io.out(`${feed.format}, ${feed.itemCount} items, ${source.itemsTotal} stored; topics: ${source.topics.join(', ') || 'none (items enter topics by phrase)'}
`);
  if (feed.items.length > 0) {
    io.out(
      formatTable(feed.items, [
        { header: 'PUBLISHED', value: (i) => i.publishedAt?.toISOString().slice(0, 16).replace('T', ' ') },
        { header: 'TOPICS', value: (i) => i.topics.join(',') || null },
        { header: 'TITLE', value: (i) => i.title, maxWidth: 90 },
      ]),
    );
  }
  return 0;
}

/** The id of the source a command names by id or by URL. */
export async function sourceIdOf(api: AdminApi, idOrUrl: string): Promise<number> {
  if (/^\d+$/.test(idOrUrl)) return Number(idOrUrl);
  const id = (await api.listSources()).find((s) => s.url === idOrUrl)?.id;
  if (id === undefined) throw new Error(`no source with id or URL ${idOrUrl}`);
  return id;
}

async function sourcesRemove(api: AdminApi, io: Io, idOrUrl: string, json: boolean): Promise<number> {
  const removed = await api.removeSource(await sourceIdOf(api, idOrUrl));
  if (json) io.out(JSON.stringify(removed, null, 2));
  else
    io.out(
      `Removed source #${removed.source.id} <${removed.source.url}> and its ${removed.deletedItems} items.${removed.note ? `\nNote: ${removed.note}.` : ''}`,
    );
  return 0;
}

function opmlImportResult(io: Io, summary: Awaited<ReturnType<AdminApi['importOpml']>>, json: boolean): number {
  if (json) {
    io.out(JSON.stringify(summary, null, 2));
    return 0;
  }
  io.out(`Added ${summary.added.length}, already present ${summary.existing.length}, invalid ${summary.invalid.length}.`);
  if (summary.added.length > 0) {
    io.out(
      `\n${formatTable(summary.added, [
        { header: 'ID', value: (s) => s.id },
        { header: 'URL', value: (s) => s.url, maxWidth: 80 },
        { header: 'TOPICS', value: (s) => s.topics.join(',') || null },
      ])}`,
    );
  }
  if (summary.invalid.length > 0)
    io.out(
      `\n${formatTable(summary.invalid, [
        { header: 'INVALID', value: (i) => i.url ?? i.title, maxWidth: 80 },
        { header: 'REASON', value: (i) => i.reason, maxWidth: 100 },
      ])}`,
    );
  if (summary.unmatchedCategories.length > 0) io.out(`\nCategories matching no topic (ignored): ${summary.unmatchedCategories.join(', ')}`);
  return 0;
}
