/**
 * What the admin use-cases (src/admin/*) need: the database, the topics, and the job
 * contexts they reuse so an admin action runs exactly the code a scheduled job runs.
 * Like jobs/, these use-cases combine ingest stages with store/; the HTTP API, the admin
 * page and the CLI call them, so all three behave alike.
 */
import type { Kysely } from 'kysely';
import type { TopicConfig } from '../config/feeds-config.ts';
import type { DB } from '../db/schema.ts';
import type { RefreshContext } from '../ingest/refresh-source.ts';
import type { Logger } from '../logger.ts';
import type { Runtime } from '../runtime.ts';
import type { ReclassifyContext } from '../../jobs/reclassify-items.ts';
import type { RegenerateContext } from '../../jobs/regenerate-feeds.ts';
import type { DeleteContext } from '../../jobs/delete-sources.ts';

export interface AdminContext {
  db: Kysely<DB>;
  topics: readonly TopicConfig[];
  /** Polls (with the fetcher and its SSRF guard) exactly as the poll job does. */
  refresh: RefreshContext;
  /** Regenerates topic feeds; under `serve` it also updates the serving cache. */
  regenerate: RegenerateContext;
  reclassify: ReclassifyContext;
  /** Deletes sources marked for deletion (jobs/delete-sources.ts). */
  deletion: DeleteContext;
  /** Starts the background deletion of marked sources; unset (the CLI): deletions run before the answer. */
  deleteInBackground?: (() => void) | undefined;
  log: Logger;
  now: () => Date;
}

export function adminContext(runtime: Runtime, regenerate: RegenerateContext = runtime.regenerate, deleteInBackground?: () => void): AdminContext {
  return {
    db: runtime.database.db,
    topics: runtime.config.topics,
    refresh: runtime.refresh,
    regenerate,
    reclassify: runtime.reclassify,
    deletion: { db: runtime.database.db, log: runtime.log.child({ component: 'delete' }), now: runtime.now },
    deleteInBackground,
    log: runtime.log.child({ component: 'admin' }),
    now: runtime.now,
  };
}
