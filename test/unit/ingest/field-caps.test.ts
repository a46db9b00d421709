import { describe, expect, it } from 'vitest';
import { capFields, capText, FIELD_CAPS } from '../../../src/ingest/field-caps.ts';
import type { NormalizedItem } from '../../../src/model.ts';

function item(overrides: Partial<NormalizedItem> = {}): NormalizedItem {
  return {
    key: 'k',
    url: 'https://news.example/a',
    title: 'Title',
    summary: 'Summary',
    contentHtml: '<p>Body</p>',
    author: 'Reporter',
    categories: ['Politics'],
    publishedAt: null,
    updatedAt: null,
    enclosure: null,
    truncated: [],
    ...overrides,
  };
}

describe('capFields', () => {
  it('leaves an ordinary item as it is, with nothing recorded', () => {
    expect(capFields(item())).toEqual(item());
  });

  it('cuts a 9 MB title, huge authors, categories and content to their caps, and records which', () => {
    const huge = 'x'.repeat(9_000_000);
    const capped = capFields(item({ title: huge, author: huge, categories: [huge, 'ok'], contentHtml: `<p>${huge}</p>` }));
    expect(capped.title).toHaveLength(FIELD_CAPS.title);
    expect(capped.title.endsWith('…')).toBe(true);
    expect(capped.author).toHaveLength(FIELD_CAPS.author);
    expect(capped.categories.map((c) => c.length)).toEqual([FIELD_CAPS.category, 2]);
    expect(capped.contentHtml).toHaveLength(FIELD_CAPS.content);
    expect(capped.truncated.sort()).toEqual(['author', 'category', 'content', 'title']);
  });

  it('keeps at most 50 categories and drops a link too long to be one', () => {
    const capped = capFields(item({ categories: Array.from({ length: 80 }, (_, i) => `c${i}`), url: `https://news.example/${'a'.repeat(5000)}` }));
    expect(capped.categories).toHaveLength(FIELD_CAPS.categories);
    expect(capped.url).toBeNull();
    expect(capped.truncated).toEqual(['url', 'categories']);
  });
});

describe('capText', () => {
  it('never splits a surrogate pair', () => {
    const text = `${'a'.repeat(8)}😀😀😀`;
    expect(capText(text, 10)).toBe(`${'a'.repeat(8)}…`);
  });
});
