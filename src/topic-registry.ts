/**
 * The topics as they are now, for every part of one process: classification, the routes, the
 * renders, the digests, WebSub, the admin use-cases. They live in the topics table
 * (src/store/topics.ts); this holds the last read of it, with the rules compiled, as one
 * immutable set swapped whole, so a reader never sees half a change and the serving path
 * reads a field, never the database. A change made here is reloaded at once (the admin
 * use-cases call reload); one made by another instance or the CLI is noticed by `refresh`,
 * which reads only the version row and runs on the feed cache's 5 s tick (src/main.ts).
 */
import type { Kysely } from 'kysely';
import type { TopicConfig } from './config/feeds-config.ts';
import type { DB } from './db/schema.ts';
import { compileTopics, type CompiledTopics } from './ingest/classify.ts';
import { listStoredTopics, topicsVersion } from './store/topics.ts';

export interface Topic extends TopicConfig {
  /** 'config': from feeds.config.json (the file wins at the next start); 'admin': made by an admin. */
  origin: 'config' | 'admin';
}

export interface TopicSet {
  /** In order: the config file's, then the admins'. */
  list: readonly Topic[];
  bySlug: ReadonlyMap<string, Topic>;
  /** Their rules, compiled once for classifying. */
  compiled: CompiledTopics;
  /** The stored version read (null: nothing stored yet, the config file's topics stand). */
  version: string | null;
}

/** What readers need: the current set (every read sees one whole set). */
export interface LiveTopics {
  current(): TopicSet;
}

export interface TopicRegistry extends LiveTopics {
  /** The config file's topics (what a database no topic was written to stands for). */
  readonly configTopics: readonly TopicConfig[];
  /** Reads the stored topics now and swaps them in. */
  reload(): Promise<TopicSet>;
  /** Reloads when the stored version moved since the last read; true when the set changed. */
  refresh(): Promise<boolean>;
  /** Told after a reload that changed the set (not for the same topics read again). */
  onChange(listener: (now: TopicSet, before: TopicSet) => void): void;
}

export function topicSet(list: readonly Topic[], version: string | null): TopicSet {
  return { list, bySlug: new Map(list.map((t) => [t.slug, t])), compiled: compileTopics(list), version };
}

/** Topics that never change (a job run on given topics, tests). */
export function fixedTopics(list: readonly TopicConfig[]): LiveTopics {
  const set = topicSet(
    list.map((t) => ({ origin: 'config', ...t })),
    null,
  );
  return { current: () => set };
}

const contentOf = (set: TopicSet) => JSON.stringify(set.list);

export function createTopicRegistry(db: Kysely<DB>, configTopics: readonly TopicConfig[]): TopicRegistry {
  const fromFile = configTopics.map((t): Topic => ({ ...t, origin: 'config' }));
  let held = topicSet(fromFile, null);
  const listeners = new Set<(now: TopicSet, before: TopicSet) => void>();
  // Reloads run one after another: a later one always reads after an earlier one's write.
  let queue: Promise<unknown> = Promise.resolve();

  const load = async (): Promise<TopicSet> => {
    // The version first: a change committed between the two reads is read again next time.
    const version = await topicsVersion(db);
    const list =
      version === null
        ? fromFile
        : (await listStoredTopics(db)).map(
            (t): Topic => ({
              slug: t.slug,
              title: t.title,
              description: t.description,
              include: t.include,
              exclude: t.exclude,
              digest: t.digest,
              origin: t.origin,
            }),
          );
    const before = held;
    const next = topicSet(list, version);
    if (contentOf(next) === contentOf(before)) {
      held = { ...before, version };
      return held;
    }
    held = next;
    for (const listener of listeners) listener(next, before);
    return next;
  };

  const reload = () => {
    const run = queue.then(load, load);
    queue = run.catch(() => {});
    return run;
  };

  return {
    configTopics,
    current: () => held,
    reload,
    async refresh() {
      if ((await topicsVersion(db)) === held.version) return false;
      const before = held;
      await reload();
      return contentOf(held) !== contentOf(before);
    },
    onChange: (listener) => void listeners.add(listener),
  };
}
