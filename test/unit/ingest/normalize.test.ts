import { describe, expect, it } from 'vitest';
import { parseFeedDate } from '../../../src/ingest/feed-dates.ts';
import { normalizeFeed, SUMMARY_MAX_LENGTH } from '../../../src/ingest/normalize.ts';
import type { ParsedFeed, ParsedItem, ParsedLink, ParsedText } from '../../../src/ingest/parse/index.ts';

const FEED_URL = 'https://news.example.org/feeds/world.xml';

function parsedItem(fields: Partial<ParsedItem> = {}): ParsedItem {
  return {
    base: null,
    id: null,
    guidIsPermaLink: null,
    about: null,
    links: [],
    title: null,
    description: null,
    content: null,
    published: [],
    updated: [],
    authors: [],
    categories: [],
    enclosures: [],
    ...fields,
  };
}

function parsedFeed(items: ParsedItem[], fields: Partial<ParsedFeed> = {}): ParsedFeed {
  return { kind: 'rss', format: 'rss2.0', bases: [], title: null, description: null, links: [], authors: [], ttl: null, items, ...fields };
}

function link(href: string, fields: Partial<ParsedLink> = {}): ParsedLink {
  return { href, rel: null, type: null, length: null, base: null, ...fields };
}

function html(value: string, base: string | null = null): ParsedText {
  return { value, type: 'html', base };
}

function text(value: string): ParsedText {
  return { value, type: 'text', base: null };
}

function normalizeOne(item: ParsedItem, feed: Partial<ParsedFeed> = {}) {
  const normalized = normalizeFeed(parsedFeed([item], feed), FEED_URL).items[0];
  if (normalized === undefined) throw new Error('no item');
  return normalized;
}

describe('normalizeFeed: item URL', () => {
  it('resolves a relative link against the feed URL', () => {
    expect(normalizeOne(parsedItem({ links: [link('../story.html')] })).url).toBe('https://news.example.org/story.html');
  });

  it('resolves against nested xml:base: feed, then entry, then link (XML Base §4.2)', () => {
    const item = parsedItem({ base: '2024/', links: [link('first', { base: 'october/' })] });
    expect(normalizeOne(item, { bases: ['https://base.example.org/blog/'] }).url).toBe('https://base.example.org/blog/2024/october/first');
  });

  it('ignores an xml:base that is not http(s)', () => {
    const item = parsedItem({ base: "javascript:alert('x')", links: [link('a.html')] });
    expect(normalizeOne(item).url).toBe('https://news.example.org/feeds/a.html');
  });

  it.each(['javascript:alert(1)', 'data:text/html,hi', 'mailto:desk@example.org'])('drops a %s link', (href) => {
    expect(normalizeOne(parsedItem({ links: [link(href)] })).url).toBeNull();
  });

  it('prefers an HTML alternate link over other alternates and other relations', () => {
    const links = [
      link('e.json', { rel: 'alternate', type: 'application/json' }),
      link('r.html', { rel: 'replies' }),
      link('page.html', { rel: 'alternate', type: 'text/html' }),
    ];
    expect(normalizeOne(parsedItem({ links })).url).toBe('https://news.example.org/feeds/page.html');
  });

  it('uses a guid that is an http(s) URL when there is no link (RSS 2.0: isPermaLink defaults to true)', () => {
    expect(normalizeOne(parsedItem({ id: 'https://news.example.org/7' })).url).toBe('https://news.example.org/7');
  });

  it('does not use a guid marked isPermaLink="false" as the link', () => {
    expect(normalizeOne(parsedItem({ id: 'https://news.example.org/7', guidIsPermaLink: false })).url).toBeNull();
  });

  it('does not turn a guid that is not a URL into a link', () => {
    expect(normalizeOne(parsedItem({ id: 'story-7' })).url).toBeNull();
  });
});

describe('normalizeFeed: item key', () => {
  it('is the trimmed guid, case kept', () => {
    expect(normalizeOne(parsedItem({ id: '  Story-ABC \n', links: [link('/a')] })).key).toBe('Story-ABC');
  });

  it('is the absolute link when the guid is missing or empty', () => {
    expect(normalizeOne(parsedItem({ id: '', links: [link('/a')] })).key).toBe('https://news.example.org/a');
  });

  it('is a deterministic hash of title and date without guid and link', () => {
    const item = parsedItem({ title: text('Headline'), published: ['Fri, 18 Oct 2024 10:00:00 GMT'] });
    const key = normalizeOne(item).key;
    expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(normalizeOne(item).key).toBe(key);
    expect(normalizeOne({ ...item, title: text('Other headline') }).key).not.toBe(key);
  });

  it('hashes the content too when title and date are both missing', () => {
    const first = normalizeOne(parsedItem({ description: html('first body') })).key;
    const second = normalizeOne(parsedItem({ description: html('second body') })).key;
    expect(first).not.toBe(second);
  });
});

describe('normalizeFeed: duplicate keys', () => {
  it("keeps the latest-dated of items sharing a key, in the first one's position (RFC 4287 §4.1.1)", () => {
    const items = [
      parsedItem({ id: 'x', title: text('X older'), updated: ['2024-10-18T08:00:00Z'] }),
      parsedItem({ id: 'y', title: text('Y') }),
      parsedItem({ id: 'x', title: text('X newer'), updated: ['2024-10-18T12:00:00Z'] }),
    ];
    expect(normalizeFeed(parsedFeed(items), FEED_URL).items.map((item) => item.title)).toEqual(['X newer', 'Y']);
  });

  it('keeps the first of items sharing a key when neither has a date', () => {
    const items = [parsedItem({ id: 'story-101', title: text('first') }), parsedItem({ id: ' story-101 ', title: text('second') })];
    expect(normalizeFeed(parsedFeed(items), FEED_URL).items.map((item) => item.title)).toEqual(['first']);
  });

  it('treats ids differing only in case as different items', () => {
    const items = [parsedItem({ id: 'tag:example.org,2024:x' }), parsedItem({ id: 'TAG:example.org,2024:x' })];
    expect(normalizeFeed(parsedFeed(items), FEED_URL).items).toHaveLength(2);
  });
});

describe('parseFeedDate', () => {
  // synthetic/dates-odd.rss and dates-odd.atom: each case states its expected value
  it.each([
    ['Fri, 18 Oct 2024 14:30:00 +0900', '2024-10-18T05:30:00.000Z'],
    ['Fri, 18 Oct 2024 14:30:00 KST', '2024-10-18T05:30:00.000Z'],
    ['Fri, 18 Oct 2024 14:30:00 JST', '2024-10-18T05:30:00.000Z'],
    ['18 Oct 2024 14:30 GMT', '2024-10-18T14:30:00.000Z'],
    ['Thu, 18 Oct 2024 14:30:00 GMT', '2024-10-18T14:30:00.000Z'],
    ['2024-10-18T14:30:00+09:00', '2024-10-18T05:30:00.000Z'],
    ['Fri, 18 Oct 2024 14:30:00 EDT', '2024-10-18T18:30:00.000Z'],
    ['Fri, 18 Oct 2024 14:30:00 PST', '2024-10-18T22:30:00.000Z'],
    ['Fri, 18 Oct 2024 14:30:00', '2024-10-18T14:30:00.000Z'],
    ['2024-10-18 14:30:00', '2024-10-18T14:30:00.000Z'],
    ['2024-10-18T14:30:00.123Z', '2024-10-18T14:30:00.123Z'],
    ['Fri, 18 Oct 2024 14:30:00 +09:00', '2024-10-18T05:30:00.000Z'],
    ['Fri, 18 Oct 24 14:30:00 -0000', '2024-10-18T14:30:00.000Z'],
    ['fri, 18 oct 2024 14:30:00 gmt', '2024-10-18T14:30:00.000Z'],
    ['Fri, 18 Oct 2024 14:30:00 UT', '2024-10-18T14:30:00.000Z'],
    ['Fri, 18 Oct 2024 14:30:00 Z', '2024-10-18T14:30:00.000Z'],
    ['Fri, 18 Oct 2024 14:30:00 A', '2024-10-18T14:30:00.000Z'],
    ['Fri, 18 Oct 2024 14:30:00 +0900 (KST)', '2024-10-18T05:30:00.000Z'],
    ['2024-10-18T14:30:00.987654Z', '2024-10-18T14:30:00.987Z'],
    ['2024-10-18t14:30:00z', '2024-10-18T14:30:00.000Z'],
    ['2024-10-18T14:30:00', '2024-10-18T14:30:00.000Z'],
    ['2024-10-18', '2024-10-18T00:00:00.000Z'],
    ['2024-10-17T23:00:00-04:00', '2024-10-18T03:00:00.000Z'],
    ['18 Sept 1999 10:00:00 GMT', '1999-09-18T10:00:00.000Z'],
    ['Sat, 01 Jan 99 00:00:00 GMT', '1999-01-01T00:00:00.000Z'],
  ])('reads %j as %s', (raw, expected) => {
    expect(parseFeedDate(raw)?.toISOString()).toBe(expected);
  });

  it.each([
    '',
    'Friday, October 18, 2024 2:30 PM',
    'Sat, 31 Feb 2024 10:00:00 GMT',
    '2024.10.18 14:30',
    'Fri, 18 Oct 2024 14:30:00 XYZ',
    'Fri, 18 Foo 2024 14:30:00 GMT',
    '2024-13-01T00:00:00Z',
    'Fri, 18 Oct 2024 25:30:00 GMT',
    'not a date',
  ])('reads %j as null', (raw) => {
    expect(parseFeedDate(raw)).toBeNull();
  });

  it('fills publishedAt and updatedAt from the first parseable candidate', () => {
    const item = normalizeOne(parsedItem({ published: ['garbage', 'Fri, 18 Oct 2024 14:30:00 GMT'], updated: ['2024-10-19T00:00:00Z'] }));
    expect([item.publishedAt?.toISOString(), item.updatedAt?.toISOString()]).toEqual(['2024-10-18T14:30:00.000Z', '2024-10-19T00:00:00.000Z']);
  });
});

describe('normalizeFeed: text', () => {
  it('makes the title plain text: tags stripped, entities decoded, whitespace collapsed', () => {
    expect(normalizeOne(parsedItem({ title: html('  Kim&rsquo;s <b>visit</b>&nbsp;to\n Pyongyang&hellip; ') })).title).toBe('Kim’s visit to Pyongyang…');
  });

  it('keeps angle brackets that are not tags', () => {
    expect(normalizeOne(parsedItem({ title: html('Fish & Chips & more <3, a < b') })).title).toBe('Fish & Chips & more <3, a < b');
  });

  it('keeps an Atom type="text" title literally', () => {
    expect(normalizeOne(parsedItem({ title: text('History of the <blink> tag &amp; more') })).title).toBe('History of the <blink> tag &amp; more');
  });

  it('drops script and style contents and separates block elements with spaces', () => {
    const summary = normalizeOne(
      parsedItem({ description: html('<p>One</p><p>Two<script>var x = "<p>";</script></p><style>p{}</style><ul><li>Three</li></ul>') }),
    ).summary;
    expect(summary).toBe('One Two Three');
  });

  it('derives the summary from the content when there is no description', () => {
    expect(normalizeOne(parsedItem({ content: html('<p>From <em>content</em></p>') })).summary).toBe('From content');
  });

  it('cuts a long summary on a word boundary and adds an ellipsis', () => {
    const words = Array.from({ length: 200 }, (_, index) => `word${index}`).join(' ');
    const summary = normalizeOne(parsedItem({ description: html(`<p>${words}</p>`) })).summary;
    expect(summary.length).toBeLessThanOrEqual(SUMMARY_MAX_LENGTH + 1);
    expect(summary.endsWith('…')).toBe(true);
    expect(words.startsWith(summary.slice(0, -1))).toBe(true);
    expect(words.charAt(summary.length - 1)).toBe(' ');
  });
});

describe('normalizeFeed: contentHtml', () => {
  it('prefers content:encoded / Atom content over the description', () => {
    const item = normalizeOne(parsedItem({ description: html('<p>short</p>'), content: html('<p>full</p>') }));
    expect(item.contentHtml).toBe('<p>full</p>');
  });

  it('uses a description that contains markup', () => {
    expect(normalizeOne(parsedItem({ description: html('<p>desc</p>') })).contentHtml).toBe('<p>desc</p>');
  });

  it('is null when the item has no body at all', () => {
    expect(normalizeOne(parsedItem({ title: html('Only a title') })).contentHtml).toBeNull();
  });

  it('keeps the whole of a long description without markup, in paragraphs, while the summary is cut', () => {
    const first = Array.from({ length: 120 }, (_, index) => `alpha${index}`).join(' ');
    const second = Array.from({ length: 120 }, (_, index) => `omega${index}`).join(' ');
    const item = normalizeOne(parsedItem({ description: html(`${first}\n\n${second} &amp; done`) }));
    expect(item.contentHtml).toBe(`<p>${first}</p><p>${second} &amp; done</p>`);
    expect(item.summary.length).toBeLessThanOrEqual(SUMMARY_MAX_LENGTH + 1);
    expect(item.summary.endsWith('…')).toBe(true);
  });

  it('escapes a plain description that holds a literal angle bracket', () => {
    expect(normalizeOne(parsedItem({ description: html('a &lt; b, and 3 > 2') })).contentHtml).toBe('<p>a &lt; b, and 3 &gt; 2</p>');
  });

  it('escapes Atom text content', () => {
    expect(normalizeOne(parsedItem({ content: text('History of the <blink> tag') })).contentHtml).toBe('History of the &lt;blink&gt; tag');
  });

  it('makes relative href and src absolute against the content base', () => {
    const content = html(
      '<a href="notes/1?a=1&amp;b=2">n</a><img src=\'/i.png\'><a href="#top">t</a><a href="mailto:x@example.org">m</a>',
      'https://base.example.org/blog/',
    );
    expect(normalizeOne(parsedItem({ content })).contentHtml).toBe(
      '<a href="https://base.example.org/blog/notes/1?a=1&amp;b=2">n</a><img src="https://base.example.org/i.png"><a href="#top">t</a><a href="mailto:x@example.org">m</a>',
    );
  });
});

describe('normalizeFeed: other item fields', () => {
  it('flattens RSS and Atom categories into unique trimmed strings', () => {
    const categories = [
      { _: ' World ', $: { domain: 'x' } },
      'Korea',
      ' Korea',
      { $: { term: 'politics', label: 'Politics' } },
      { $: { term: 'asia' } },
      { $: { domain: 'only' } },
      '',
    ];
    expect(normalizeOne(parsedItem({ categories })).categories).toEqual(['World', 'Korea', 'Politics', 'asia']);
  });

  it('reads the name out of an RSS "email (Name)" author', () => {
    expect(normalizeOne(parsedItem({ authors: ['jo@example.org (Jo Smith)'] })).author).toBe('Jo Smith');
  });

  it('falls back to the feed author (RFC 4287 §4.2.1; RSS managingEditor)', () => {
    expect(normalizeOne(parsedItem(), { authors: ['desk@example.org (The Desk)'] }).author).toBe('The Desk');
  });

  it('makes the enclosure absolute with its type and length', () => {
    const item = normalizeOne(parsedItem({ enclosures: [{ url: '/a.mp3', type: 'audio/mpeg', length: '12345' }] }));
    expect(item.enclosure).toEqual({ url: 'https://news.example.org/a.mp3', type: 'audio/mpeg', length: 12345 });
  });

  it('reads an Atom enclosure link and ignores a non-numeric length', () => {
    const item = normalizeOne(parsedItem({ links: [link('a.ogg', { rel: 'enclosure', type: 'audio/ogg', length: 'big' })] }));
    expect(item.enclosure).toEqual({ url: 'https://news.example.org/feeds/a.ogg', type: 'audio/ogg', length: null });
  });
});

describe('normalizeFeed: feed fields', () => {
  it('normalizes title, site URL, description and ttl', () => {
    const feed = normalizeFeed(
      parsedFeed([], {
        format: 'atom1.0',
        title: html('Atom <i>Example</i>'),
        links: [link('atom.xml', { rel: 'self' }), link('./', { rel: 'alternate' })],
        description: text('All  the news'),
        ttl: ' 30 ',
      }),
      FEED_URL,
    );
    expect(feed).toEqual({
      format: 'atom1.0',
      title: 'Atom Example',
      siteUrl: 'https://news.example.org/feeds/',
      description: 'All the news',
      ttlMinutes: 30,
      websub: { hubs: [], self: 'https://news.example.org/feeds/atom.xml' },
      items: [],
    });
  });

  it.each(['0', '-5', 'soon', ''])('ignores a ttl of %j', (ttl) => {
    expect(normalizeFeed(parsedFeed([], { ttl }), FEED_URL).ttlMinutes).toBeNull();
  });
});
