/**
 * One source from the CLI: pause, resume, edit and show. The same use-cases as the admin
 * API's PATCH and GET of a source (changeSource, getSource) and the admin page's buttons, so
 * all three accept, refuse and word things alike. The command line's own values (a duration,
 * on/off) are read here, before the database is opened.
 */
import type { SourceChanges } from '../admin/api.ts';
import type { SourceDetail } from '../admin/manage-sources.ts';
import type { SourceView } from '../admin/source-view.ts';
import { LIMITS } from '../admin/validate.ts';
import { sourceName, STATE_LABELS } from '../admin/wording.ts';
import { parseDurationSeconds, type FeedsConfig } from '../config/feeds-config.ts';
import { formatTable, relativeTime } from '../render/text-table.ts';
import { UsageError, type Io, type OpenAdmin } from './cli-io.ts';
import { sourceIdOf } from './source-commands.ts';

export interface SourceEditOptions {
  json: boolean;
  title?: string | undefined;
  topic?: string[] | undefined;
  interval?: string | undefined;
  'full-content'?: string | undefined;
}

/** The commands on one source this file runs. */
export type OneSourceCommand = 'sources pause' | 'sources resume' | 'sources edit' | 'sources show';

const EDIT_FLAGS = ['--title', '--topic', '--interval', '--full-content'] as const;

export async function sourceEditCommand(
  open: OpenAdmin,
  config: FeedsConfig,
  io: Io,
  command: OneSourceCommand,
  args: string[],
  options: SourceEditOptions,
): Promise<number> {
  const [idOrUrl, ...extra] = args;
  if (idOrUrl === undefined) throw new UsageError(`${command} needs an ID (a source's id or URL)`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const given = EDIT_FLAGS.filter((flag) => options[flag.slice(2) as keyof SourceEditOptions] !== undefined);
  if (command !== 'sources edit' && given.length > 0) throw new UsageError(`${given[0]} goes with sources edit, not ${command}`);
  if (command === 'sources edit' && given.length === 0) throw new UsageError(`sources edit needs one of ${EDIT_FLAGS.join(', ')}`);
  // Bad values fail before the database is opened.
  const changes: SourceChanges = command === 'sources edit' ? editChanges(options) : { enabled: command === 'sources resume' };
  // show only reads.
  const { ctx, api } = await open(config, { migrate: command !== 'sources show' });
  try {
    const id = await sourceIdOf(api, idOrUrl);
    if (command === 'sources show') {
      const detail = await api.getSource(id);
      io.out(options.json ? JSON.stringify(detail, null, 2) : formatSourceDetail(detail, ctx.now()));
      return 0;
    }
    const updated = await api.changeSource(id, changes);
    if (options.json) io.out(JSON.stringify(updated, null, 2));
    else io.out(changedLine(command, updated.source) + (updated.note ? `\nNote: ${updated.note}.` : ''));
    return 0;
  } finally {
    await ctx.close();
  }
}

/** What `sources edit` asks for; the values themselves (title, topics, range) are checked by changeSource. */
function editChanges(options: SourceEditOptions): SourceChanges {
  const fullContent = options['full-content'];
  if (fullContent !== undefined && fullContent !== 'on' && fullContent !== 'off')
    throw new Error(`--full-content "${fullContent}" is neither on nor off; give --full-content on or --full-content off`);
  return {
    title: options.title,
    // `--topic ''` alone clears the topics.
    topics: options.topic?.filter((slug) => slug !== ''),
    pollIntervalSeconds: options.interval === undefined ? undefined : parseInterval(options.interval),
    fullContent: fullContent === undefined ? undefined : fullContent === 'on',
  };
}

/** `--interval`: a duration from a minute to 30 days, or `default` (the feed's hints and polling.minInterval/maxInterval decide). */
export function parseInterval(raw: string): number | null {
  if (raw === 'default') return null;
  const fix = 'give a duration with its unit from 1m to 30d, like --interval 15m or --interval 2h, or --interval default to poll as the feed suggests';
  const seconds = parseDurationSeconds(raw);
  if (seconds === null) throw new Error(`--interval "${raw}" is not a duration; ${fix}`);
  const { min, max } = LIMITS.pollIntervalSeconds;
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) throw new Error(`--interval "${raw}" is outside 1m to 30d; ${fix}`);
  return seconds;
}

function changedLine(command: string, source: SourceView): string {
  const name = `source #${source.id} <${source.url}>`;
  if (command === 'sources pause') return `Paused ${name}: it is not polled until \`tidings sources resume ${source.id}\`.`;
  if (command === 'sources resume')
    return source.state === 'disabled' ? `Resumed ${name}, but it is disabled: ${source.disabledReason}.` : `Resumed ${name}: it is polled at the next cycle.`;
  return `Changed ${name}: title ${source.title === null ? 'from the feed' : `"${source.title}"`}; topics ${source.topics.join(', ') || 'none'}; poll interval ${interval(source)}; full article text ${source.fullContent ? 'on' : 'off'}.`;
}

function interval(source: SourceView): string {
  const seconds = source.pollIntervalSeconds;
  if (seconds === null) return 'as the feed suggests';
  return seconds % 86_400 === 0
    ? `${seconds / 86_400}d`
    : seconds % 3600 === 0
      ? `${seconds / 3600}h`
      : seconds % 60 === 0
        ? `${seconds / 60}m`
        : `${seconds}s`;
}

/** `sources show`: the source page's sections as text. */
export function formatSourceDetail(detail: SourceDetail, now: Date): string {
  const s = detail.source;
  const ago = (date: Date | null) => relativeTime(date, now) ?? 'never';
  const settings: Array<[string, string | null]> = [
    ['URL', s.url],
    ['Site', s.siteUrl],
    ['Origin', s.origin === 'config' ? 'feeds.config.json' : 'added by an admin'],
    ['Topics', s.topics.join(', ') || 'none (items enter topics by phrase only)'],
    ['Poll interval', interval(s)],
    ['Auth', s.auth && `HTTP Basic as ${s.auth.username} (password from $${s.auth.passwordEnv})`],
  ];
  const health: Array<[string, string | null]> = [
    ['State', `${STATE_LABELS[s.state]}${s.disabledReason && !s.enabled ? `: ${s.disabledReason}` : ''}`],
    ['Last poll', `${ago(s.lastPolledAt)}${s.lastStatus ? ` (HTTP ${s.lastStatus})` : ''}`],
    ['Last success', ago(s.lastSuccessAt)],
    ['Next poll', nextPoll(s, now)],
    ['Failures', `${s.consecutiveFailures} in a row`],
    ['Error', s.errorCode ? `${s.errorCode}: ${s.errorMessage}` : 'none'],
    ['Newest item', ago(s.newestItemAt)],
    ['Push (WebSub)', pushFacts(s, now)],
    ['Full text', fullContentFacts(s)],
    ['Items', `${s.itemsTotal} stored, ${s.itemsLast7Days} in the last 7 days`],
  ];
  const items =
    detail.items.length === 0
      ? 'No items stored.'
      : formatTable(detail.items, [
          { header: 'PUBLISHED', value: (i) => i.publishedAt.toISOString().slice(0, 16).replace('T', ' ') },
          { header: 'TOPICS', value: (i) => i.topics.join(',') || null, maxWidth: 32 },
          { header: 'TITLE', value: (i) => `${i.title || '(untitled)'}${i.truncated.length > 0 ? ` [cut: ${i.truncated.join(', ')}]` : ''}`, maxWidth: 70 },
          { header: 'URL', value: (i) => i.url, maxWidth: 80 },
        ]);
  const events =
    detail.events.length === 0
      ? 'Not polled yet.'
      : formatTable(detail.events, [
          { header: 'WHEN', value: (e) => ago(e.polledAt) },
          { header: 'OUTCOME', value: (e) => e.outcome },
          { header: 'HTTP', value: (e) => e.status },
          { header: 'NEW', value: (e) => e.newItems },
          { header: 'UPDATED', value: (e) => e.updatedItems },
          { header: 'MS', value: (e) => e.durationMs },
          { header: 'ERROR', value: (e) => (e.errorCode ? `${e.errorCode}: ${e.errorMessage}` : null), maxWidth: 100 },
        ]);
  return [
    `Source #${s.id}: ${sourceName(s)}`,
    facts(settings),
    '',
    'Health',
    facts(health),
    '',
    'Latest items',
    items,
    '',
    'Poll history (newest first)',
    events,
  ].join('\n');
}

/** Label and value lines, the values lined up; rows without a value are left out. */
function facts(rows: Array<[string, string | null]>): string {
  const shown = rows.filter((row): row is [string, string] => row[1] !== null);
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}

function nextPoll(s: SourceView, now: Date): string {
  if (s.state === 'deleting') return 'never (being deleted)';
  if (s.nextPollAt === null) return s.state === 'paused' ? 'paused' : 'disabled';
  return s.nextPollAt <= now ? 'due now' : relativeTime(s.nextPollAt, now)!;
}

function pushFacts(s: SourceView, now: Date): string {
  const push = s.push;
  if (push === null) return 'none (the feed names no hub)';
  const state = push.state === 'subscribed' ? `subscribed until ${relativeTime(push.subscribedUntil, now) ?? '?'}` : 'subscribing (awaiting the hub)';
  return `${state} at ${push.hub}; last push ${relativeTime(push.lastPushAt, now) ?? 'never'}${push.error ? `; ${push.error}` : ''}`;
}

function fullContentFacts(s: SourceView): string {
  if (!s.fullContent) return 'off';
  const { last7Days, lastError } = s.fullContentFailures;
  if (last7Days === 0) return 'on';
  return `on; ${last7Days} article${last7Days === 1 ? '' : 's'} not extracted in the last 7 days (the feed's own text stands)${lastError ? `; latest: ${lastError}` : ''}`;
}
