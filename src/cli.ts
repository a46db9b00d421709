/**
 * The `tidings` command: every subcommand reads the same environment and config as the
 * service, prints a table (or JSON with --json), and exits non-zero with one line on failure.
 * The commands themselves live in src/cli/.
 */
import { parseArgs } from 'node:util';
import { readEnv } from './config/env.ts';
import type { FeedsConfig } from './config/feeds-config.ts';
import { loadFeedsConfig } from './config/load-config.ts';
import { ConfigError } from './errors.ts';
import { createLogger } from './logger.ts';
import { createAppContext, type AppContextOptions } from './app-context.ts';
import { createAdminApi } from './admin/api.ts';
import { adminContext } from './admin/context.ts';
import { defaultIo, UsageError, type CliDeps, type Io, type OpenAdmin } from './cli/cli-io.ts';
import { adminActions } from '../jobs/index.ts';
import { buildDigest, periodForDate } from '../jobs/build-digests.ts';
import { pollFeeds } from '../jobs/poll-feeds.ts';
import { configSyncCommand, digestBuildCommand, migrateCommand, pollCommand, serveCommand } from './cli/service-commands.ts';
import { adminCommand, sourcesListCommand } from './cli/source-commands.ts';
import { sourceEditCommand, type OneSourceCommand } from './cli/source-edit-commands.ts';
import { topicsCommand } from './cli/topic-commands.ts';
import { storyCommand, type StoryCommand } from './cli/story-commands.ts';

export type { CliDeps, Io } from './cli/cli-io.ts';

const USAGE = `Usage: tidings <command> [options]

Commands:
  serve                      migrate, sync feeds.config.json, serve HTTP and run the scheduler (npm start)
  poll --once [--source URL] run one poll cycle (or poll one source now) and print the results
  migrate                    apply pending database migrations
  config sync                add, update and disable sources and topics to match feeds.config.json now
                             (serve does this at every start; no other command touches them)
  sources list               print every source with its title, topics and health
  sources add URL [--topic SLUG]... [--title TEXT]
                             fetch URL, check it is a feed, add it and store its items; for a web
                             page, print the feeds it offers
  sources remove ID          delete a source (by id or URL) and its items
  sources pause ID           stop polling a source (by id or URL); its items stay
  sources resume ID          poll a paused source again, from the next cycle
  sources edit ID [--title TEXT] [--topic SLUG]... [--interval DURATION] [--full-content on|off]
                             change a source: --topic replaces its topics (--topic '' clears them);
                             --interval 15m, 2h… (1m to 30d) or default (as the feed suggests)
  sources show ID            a source's health, latest items and poll history
  opml import FILE           add the feeds of an OPML list (folders/categories named like a topic map to it)
  opml export                print every source as OPML
  topics list                print every topic: slug, title, origin (config or admin), rules, digest
  topics add SLUG --title TEXT [--include PHRASE]... [--exclude PHRASE]... [--description TEXT]
                             add a topic; its feeds serve the stored items its rules match at once
  topics edit SLUG [--title TEXT] [--include PHRASE]... [--exclude PHRASE]... [--description TEXT]
                             change a topic (--include and --exclude replace its lists); the items are re-classified
  topics remove SLUG         delete a topic: its feeds, pages, archives and digests go
  stories show ID            a story's items, why each joined it, which are hidden
  stories split ID --item ITEM
                             move the item out of story ID into a story of its own, for good
  stories merge ID ID...     make one story of these (the oldest keeps its feed entry id)
  items hide ID              leave an item out of every topic feed, search and future digest
  items unhide ID            put a hidden item back
  digest build --topic SLUG [--date YYYY-MM-DD] [--force]
                             build the digest of the period ending on that local date (default:
                             the latest ended period) and print it; --force rebuilds a published one

Options:
  --json                     machine-readable output
  -h, --help                 this help

Environment: DATABASE_URL (unset: embedded database in DATA_DIR, default ./data),
FEEDS_CONFIG (./feeds.config.json), PORT, HOST, PUBLIC_URL, ADMIN_TOKEN, LOG_LEVEL, LOG_FORMAT.`;

/** Runs one command; returns the exit code. */
export async function main(argv: string[], io: Io = defaultIo, environment: NodeJS.ProcessEnv = process.env, deps: CliDeps = {}): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        once: { type: 'boolean', default: false },
        source: { type: 'string' },
        topic: { type: 'string', multiple: true },
        title: { type: 'string' },
        interval: { type: 'string' },
        'full-content': { type: 'string' },
        include: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true },
        description: { type: 'string' },
        date: { type: 'string' },
        force: { type: 'boolean', default: false },
        item: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.out(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    const env = readEnv(environment);
    // Commands print their own output on stdout; logs go to stderr at warn level so they don't mix.
    const quietLog = createLogger(environment.LOG_LEVEL ? env.logLevel : 'warn', { fd: 2, format: env.logFormat });
    const open = (config: FeedsConfig, options: Pick<AppContextOptions, 'migrate' | 'syncConfig'> = {}) =>
      createAppContext(env, config, { log: quietLog, now: deps.now, fetcherHooks: deps.fetcherHooks, ...options });
    // The admin commands run the admin API's use-cases, with the jobs they need (jobs/index.ts).
    const openAdmin: OpenAdmin = async (config, options) => {
      const ctx = await open(config, options);
      return { ctx, api: createAdminApi(adminContext(ctx, adminActions(ctx))) };
    };
    switch (`${command} ${rest[0] ?? ''}`.trim()) {
      case 'serve':
        return await serveCommand(env);
      case 'migrate':
        return await migrateCommand(env, io, values.json);
      case 'config sync':
        return await configSyncCommand(await open(loadFeedsConfig(env.feedsConfigPath), { syncConfig: true }), io, values.json);
      case 'poll':
        if (!values.once) throw new UsageError('poll needs --once (the scheduler polls continuously under `tidings serve`)');
        return await pollCommand(await open(loadFeedsConfig(env.feedsConfigPath)), pollFeeds, io, values);
      case 'sources list':
        // Read-only: no migration, no config sync; nothing is written.
        return await sourcesListCommand(await open(loadFeedsConfig(env.feedsConfigPath), { migrate: false }), io, values.json);
      case 'sources add':
      case 'sources remove':
      case 'opml import':
      case 'opml export':
        return await adminCommand(openAdmin, loadFeedsConfig(env.feedsConfigPath), io, `${command} ${rest[0]}`, rest.slice(1), values);
      case 'sources pause':
      case 'sources resume':
      case 'sources edit':
      case 'sources show':
        return await sourceEditCommand(openAdmin, loadFeedsConfig(env.feedsConfigPath), io, `sources ${rest[0]}` as OneSourceCommand, rest.slice(1), values);
      case 'topics list':
      case 'topics add':
      case 'topics edit':
      case 'topics remove':
        return await topicsCommand(openAdmin, loadFeedsConfig(env.feedsConfigPath), io, `${command} ${rest[0]}`, rest.slice(1), values);
      case 'stories show':
      case 'stories split':
      case 'stories merge':
      case 'items hide':
      case 'items unhide':
        return await storyCommand(openAdmin, loadFeedsConfig(env.feedsConfigPath), io, `${command} ${rest[0]}` as StoryCommand, rest.slice(1), values);
      case 'digest build':
        if (values.topic?.length !== 1) throw new UsageError('digest build needs one --topic SLUG');
        return await digestBuildCommand(await open(loadFeedsConfig(env.feedsConfigPath)), { buildDigest, periodForDate }, io, {
          ...values,
          topic: values.topic[0]!,
        });
      default:
        throw new UsageError(`unknown command "${[command, ...rest].join(' ')}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`tidings: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`tidings: ${error instanceof ConfigError ? error.message : ((error as Error).message ?? String(error))}`);
    return 1;
  }
}
