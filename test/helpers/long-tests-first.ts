/**
 * Test order: the simulated week first. It is the longest file by far (minutes, against
 * seconds for the others), so started last it would run alone at the end of `npm test` while
 * the other worker idles. Vitest's own order (the last run's durations, else file sizes)
 * knows nothing of that on a fresh clone, as in CI.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export default class LongTestsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isLong = (file: TestSpecification) => file.moduleId.includes('/test/simulation/');
    return [...sorted.filter(isLong), ...sorted.filter((file) => !isLong(file))];
  }
}
