/**
 * Coordinates story grouping for concurrent polls. Grouping must be serialized (a copy can
 * only join a story whose items it can see), so instead of each poll grouping its own items
 * inside its transaction while every other poll waits, polls commit their items ungrouped
 * and ask the grouper; runs go back to back, each grouping everything pending in large
 * batches. A caller's promise settles with the first run that starts after its request, so
 * its items are grouped (and their stories' topics known) when it resolves. What a run does
 * is the caller's (src/app-context.ts storyGrouper: the store's groupPendingItems); this only
 * orders the runs.
 */

export interface GroupingRun {
  /** Topics whose feeds may have changed. */
  topics: Set<string>;
  /** New items that joined an existing story, by how they matched. */
  merged: { 'canonical-url': number; text: number };
}

export interface StoryGrouper {
  /** Groups pending items (and refreshes the stories of `updatedItemIds`); resolves after a run that saw them. */
  group(updatedItemIds?: readonly number[]): Promise<GroupingRun>;
}

/** `run` groups everything pending and refreshes the given items' stories. */
export function createStoryGrouper(run: (updatedItemIds: number[]) => Promise<GroupingRun>): StoryGrouper {
  let running: Promise<unknown> | null = null;
  let next: { updated: Set<number>; promise: Promise<GroupingRun>; start: () => void } | null = null;

  const launch = (): void => {
    const batch = next!;
    next = null;
    running = new Promise<void>((done) => {
      batch.start();
      void batch.promise
        .catch(() => {})
        .finally(() => {
          running = null;
          if (next) launch();
          done();
        });
    });
  };

  return {
    group(updatedItemIds = []) {
      if (!next) {
        let start!: () => void;
        const updated = new Set<number>();
        const promise = new Promise<GroupingRun>((resolve, reject) => {
          start = () => run([...updated]).then(resolve, reject);
        });
        next = { updated, promise, start };
      }
      for (const id of updatedItemIds) next.updated.add(id);
      const { promise } = next;
      if (!running) launch();
      return promise;
    },
  };
}
