import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findAlternateLinks } from '../../../../src/ingest/parse/index.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../../fixtures/feeds');

function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

describe('findAlternateLinks', () => {
  it('returns the advertised RSS/Atom/JSON feed URLs, absolute and unique', () => {
    expect(findAlternateLinks(fixture('page-with-alternates.html'), 'https://example.org/news/')).toEqual([
      'https://example.org/feeds/rss.xml',
      'https://example.org/feeds/atom.xml?a=1&b=2',
    ]);
  });

  it('drops links that do not resolve to http(s)', () => {
    const html =
      '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)"><link rel="alternate" type="application/atom+xml" href="feed.xml">';
    expect(findAlternateLinks(html, 'https://example.org/')).toEqual(['https://example.org/feed.xml']);
  });
});
