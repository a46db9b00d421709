import { describe, expect, it } from 'vitest';
import { editDistance, namesList, nearestName } from '../../../src/config/nearest-name.ts';

describe('nearestName', () => {
  it('counts a swap of neighbouring letters as one edit and ignores case', () => {
    expect(editDistance('pirority', 'priority')).toBe(1);
    expect(editDistance('MAXSTORIES', 'maxStories')).toBe(0);
  });

  it('offers a close name only', () => {
    const fields = ['url', 'title', 'topics', 'priority', 'nearDuplicates'];
    expect(nearestName('topic', fields)).toBe('topics');
    expect(nearestName('uri', fields)).toBe('url');
    expect(nearestName('neardupes', fields)).toBeNull();
    expect(nearestName('name', fields)).toBeNull();
  });

  it('lists at most a dozen names', () => {
    expect(namesList(['a', 'b'])).toBe('a, b');
    expect(namesList(Array.from({ length: 15 }, (_, i) => `t${i}`))).toBe('t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, … (3 more)');
  });
});
