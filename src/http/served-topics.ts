/**
 * The topics the routes serve, as they are now: topics change while serving (the admin
 * API, another instance, src/topic-registry.ts), so routes look a topic up per request
 * instead of keeping a map made at start. The look-up map is rebuilt only when the list
 * itself is a new one, so a request costs one identity check and one Map look-up.
 */
import type { IndexTopic } from '../render/pages.ts';

export interface ServedTopics {
  /** Every topic served, in listing order. */
  list(): readonly IndexTopic[];
  get(slug: string): IndexTopic | undefined;
}

/** Topics read from `source` at each call (a fixed list: tests, or nothing served). */
export function servedTopics(source: readonly IndexTopic[] | (() => readonly IndexTopic[])): ServedTopics {
  const read = typeof source === 'function' ? source : () => source;
  let indexed: readonly IndexTopic[] | undefined;
  let bySlug = new Map<string, IndexTopic>();
  return {
    list: read,
    get(slug) {
      const list = read();
      if (list !== indexed) {
        indexed = list;
        bySlug = new Map(list.map((t) => [t.slug, t]));
      }
      return bySlug.get(slug);
    },
  };
}
