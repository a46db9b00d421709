/**
 * What the admin use-cases (src/admin/*) need: the app context's pieces, and the jobs they
 * run as plain functions (built at the edge, in main.ts and cli.ts), so an admin action
 * runs exactly the code a scheduled job runs. Like the jobs, these use-cases combine ingest
 * stages with store/; the HTTP API, the admin page and the CLI call them, so all three
 * behave alike.
 */
import type { AppContext } from '../app-context.ts';
import type { Fetcher } from '../ingest/fetch/index.ts';
import type { RefreshResult } from '../ingest/refresh-source.ts';

export interface AdminActions {
  /**
   * Polls the source with this URL now, due or not, and re-renders the feeds it changed;
   * `fetcher` stands in for the context's (a new source's first poll replays the response
   * already fetched). Empty when another poller holds the source.
   */
  pollSource(url: string, fetcher?: Pick<Fetcher, 'fetchFeed'>): Promise<RefreshResult[]>;
  /** Re-applies the topic rules to these sources' items; returns the topics re-rendered. */
  reclassifySources(sourceIds: ReadonlySet<number>): Promise<Set<string>>;
  /** Deletes a source marked for deletion, in batches, and re-renders its topics. */
  deleteMarkedSource(id: number): Promise<{ items: number; topics: Set<string> }>;
  /** Re-renders these topics' documents (every topic when omitted). */
  regenerate(topics?: Iterable<string>): Promise<number>;
  /** Starts the background deletion of marked sources; unset (the CLI): deletions run before the answer. */
  deleteInBackground?: (() => void) | undefined;
  /**
   * After a change to the topics is stored: re-classifies the stored items when the rules
   * changed and re-renders these topics' documents (jobs/apply-topic-changes.ts). Never rejects.
   */
  applyTopicChange(change: { slugs: readonly string[]; reclassify: boolean }): Promise<void>;
  /** true (serve): an answer does not wait for applyTopicChange; unset (the CLI): it does. */
  topicChangesInBackground?: boolean | undefined;
}

export type AdminContext = Pick<AppContext, 'db' | 'topics' | 'fetcher' | 'readFeed' | 'hostGate' | 'now'> & {
  actions: AdminActions;
  log: AppContext['log'];
  /** retention.days: how far back a topic change re-classifies (and its answer counts). */
  retentionDays: number;
};

export function adminContext(ctx: AppContext, actions: AdminActions): AdminContext {
  return {
    db: ctx.db,
    topics: ctx.topics,
    fetcher: ctx.fetcher,
    readFeed: ctx.readFeed,
    hostGate: ctx.hostGate,
    now: ctx.now,
    actions,
    log: ctx.log.child({ component: 'admin' }),
    retentionDays: ctx.config.retention.days,
  };
}
