import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeedError } from '../../../../src/errors.ts';
import { parseFeed, type ParsedFeed, type ParsedItem, type ParsedText } from '../../../../src/ingest/parse/index.ts';
import { MAX_JSON_DEPTH } from '../../../../src/ingest/parse/json-document.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../../fixtures/feeds');

function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** A JSON Feed 1.1 document with these items (and feed members). */
function jsonFeed(items: unknown[], feed: Record<string, unknown> = {}): string {
  return JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 't', ...feed, items });
}

async function onlyItem(items: unknown[], feed?: Record<string, unknown>): Promise<ParsedItem> {
  const parsed = await parseFeed(jsonFeed(items, feed));
  expect(parsed.items).toHaveLength(1);
  return parsed.items[0]!;
}

async function parseError(text: string): Promise<FeedError> {
  const error = await parseFeed(text).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof FeedError)) throw new Error(`expected a FeedError, got ${String(error)}`);
  return error;
}

const text = (value: string): ParsedText => ({ value, type: 'text', base: null });

describe('parseFeed: JSON Feed documents', () => {
  it('reads the feed members of a JSON Feed 1.1 document', async () => {
    const feed = await parseFeed(fixture('json-feed-1.1-full.json'));
    expect({ ...feed, items: feed.items.length }).toEqual({
      kind: 'json',
      format: 'json1.1',
      bases: ['https://desk.example.org/feeds/main.json'],
      title: text('Seoul Desk'),
      description: text('News from the Seoul desk'),
      links: [
        { href: 'https://desk.example.org/', rel: null, type: null, length: null, base: null },
        { href: 'https://desk.example.org/feeds/main.json', rel: 'self', type: null, length: null, base: null },
      ],
      authors: ['The Desk'],
      ttl: null,
      items: 2,
    } satisfies Record<keyof ParsedFeed, unknown>);
  });

  it('reads every member of a JSON Feed 1.1 item', async () => {
    const item = (await parseFeed(fixture('json-feed-1.1-full.json'))).items[0];
    expect(item).toEqual({
      base: null,
      id: 'https://desk.example.org/2024/10/18/subway-fares',
      guidIsPermaLink: null,
      about: null,
      links: [{ href: 'https://desk.example.org/2024/10/18/subway-fares', rel: null, type: null, length: null, base: null }],
      title: text('Seoul subway fares rise by 150 won'),
      description: text('Fares rise next year.'),
      content: { value: '<p>Fares rise <a href="/fares.html">next year</a>.</p><img src="img/1.jpg">', type: 'html', base: null },
      published: ['2024-10-18T14:30:00+09:00'],
      updated: ['2024-10-18T18:00:00+09:00'],
      authors: ['Kim Min-ji', 'Lee Jun'],
      categories: ['Seoul', 'Transport'],
      enclosures: [
        { url: 'audio/fares.mp3', type: 'audio/mpeg', length: '12345' },
        { url: 'https://desk.example.org/audio/fares.m4a', type: 'audio/x-m4a', length: null },
      ],
    } satisfies ParsedItem);
  });

  it('reads an item with nothing but an id and content_text', async () => {
    const item = (await parseFeed(fixture('json-feed-1.1-full.json'))).items[1]!;
    expect(item).toMatchObject({ id: '2', links: [], title: null, description: null, content: text('A short note without a title.'), authors: [] });
    expect(item).toMatchObject({ updated: [], categories: [], enclosures: [] });
  });

  it('reads a JSON Feed 1.0 document, its `author` objects and numeric ids', async () => {
    const feed = await parseFeed(fixture('json-feed-1.0.json'));
    expect({ format: feed.format, authors: feed.authors, bases: feed.bases }).toEqual({ format: 'json1.0', authors: ['Park Ji-ho'], bases: [] });
    expect(feed.items.map((item) => [item.id, item.authors])).toEqual([
      ['1001', ['Choi Eun']],
      ['1002', []],
    ]);
  });

  it('prefers `authors` to the deprecated `author` when both are given', async () => {
    const item = await onlyItem([{ id: '1', content_text: 'x', author: { name: 'Old' }, authors: [{ name: 'New' }] }]);
    expect(item.authors).toEqual(['New']);
  });

  it('takes content_text when content_html is blank', async () => {
    const item = await onlyItem([{ id: '1', content_html: '  ', content_text: 'Plain words' }]);
    expect(item.content).toEqual(text('Plain words'));
  });

  it.each([
    ['"1.1" (gofeed writes it so)', '1.1', 'json1.1'],
    ['"1"', '1', 'json1.0'],
    ['http://jsonfeed.org/version/1/', 'http://jsonfeed.org/version/1/', 'json1.0'],
    ['a later version', 'https://jsonfeed.org/version/2', 'json2.0'],
  ])('accepts the version %s', async (_name, version, format) => {
    expect((await parseFeed(jsonFeed([], { version }))).format).toBe(format);
  });

  it('ignores extensions, images and the other members it has no use for', async () => {
    const plain = { id: '1', url: 'https://x.example/1', content_text: 'x' };
    const decorated = { ...plain, image: 'https://x.example/i.png', banner_image: 'https://x.example/b.png', language: 'en', _ext: { title: 'no' } };
    const extras = { icon: 'https://x.example/i.png', expired: true, hubs: [{ type: 'rssCloud', url: 'https://cloud.example/' }], _ext: { items: [] } };
    expect(await parseFeed(jsonFeed([decorated], extras))).toEqual(await parseFeed(jsonFeed([plain])));
  });
});

describe('parseFeed: JSON Feed hubs', () => {
  it('reads a WebSub hub as a link with rel "hub" (W3C WebSub §4)', async () => {
    const parsed = await parseFeed(jsonFeed([], { hubs: [{ type: 'WebSub', url: 'https://hub.example/' }] }));
    expect(parsed.links).toContainEqual({ href: 'https://hub.example/', rel: 'hub', type: null, length: null, base: null });
  });
});

describe('parseFeed: JSON Feed item links', () => {
  it('links an item without `url` to its `external_url` when its id is not a URL', async () => {
    const item = await onlyItem([{ id: 'note-7', external_url: 'https://elsewhere.example/story', content_text: 'x' }]);
    expect(item.links.map((link) => link.href)).toEqual(['https://elsewhere.example/story']);
  });

  it('leaves an item without `url` to its id when the id is an http(s) URL (the permalink), not `external_url`', async () => {
    const item = await onlyItem([{ id: 'https://blog.example/7', external_url: 'https://elsewhere.example/story', content_text: 'x' }]);
    expect(item.links).toEqual([]);
  });
});

describe('parseFeed: JSON that is not a JSON Feed', () => {
  it('reports malformed JSON as malformed_json with its line and column', async () => {
    const error = await parseError(fixture('../corpus/feeds/gofeed/parser__json__invalid__invalid.json'));
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'malformed_json',
      message: "not valid JSON: Expected ',' or '}' after property value (line 3, column 1)",
    });
  });

  it("reports malformed JSON with V8's excerpt when V8 names no position", async () => {
    const error = await parseError('{"items": [}');
    expect({ code: error.code, message: error.message }).toEqual({ code: 'malformed_json', message: 'not valid JSON: Unexpected token \'}\', "{"items": [}"' });
  });

  it('reports JSON cut short as malformed_json', async () => {
    const error = await parseError('{"version": "https://jsonfeed.org/version/1.1", "items": [');
    expect(error).toMatchObject({ code: 'malformed_json', message: 'not valid JSON: Unexpected end of JSON input' });
  });

  it('reports a JSON object without a version as not_a_feed, saying so', async () => {
    const error = await parseError('{"hello": "world", "items": []}');
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'not_a_feed',
      message: 'the document is JSON, not a feed: it has no "version" (a JSON Feed names https://jsonfeed.org/version/1.1)',
    });
  });

  it('reports a JSON object with another version as not_a_feed, quoting it', async () => {
    const error = await parseError('{"version": "2.3-api", "items": []}');
    expect(error).toMatchObject({ code: 'not_a_feed', message: expect.stringContaining('"version" "2.3-api"') });
  });

  it('reports a JSON array as not_a_feed', async () => {
    const error = await parseError('[{"id": "1"}]');
    expect(error).toMatchObject({ code: 'not_a_feed', message: expect.stringContaining('not a JSON Feed') });
  });

  it('reports a JSON Feed whose `items` is not an array as not_a_feed', async () => {
    const error = await parseError('{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": {"id": "1"}}');
    expect(error).toMatchObject({ code: 'not_a_feed', message: 'the document is a JSON Feed without an "items" array' });
  });

  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels before parsing it`, async () => {
    const depth = 1_000_000;
    const error = await parseError(`{"version": "1.1", "items": ${'['.repeat(depth)}${']'.repeat(depth)}}`);
    expect(error).toMatchObject({ code: 'not_a_feed', message: expect.stringContaining(`nested more than ${MAX_JSON_DEPTH} levels`) });
  });

  it('counts no brackets inside strings toward the nesting depth', async () => {
    const item = await onlyItem([{ id: '1', content_text: `${'[{'.repeat(MAX_JSON_DEPTH)} "quoted" \\ ${'}]'.repeat(MAX_JSON_DEPTH)}` }]);
    expect(item.content?.value).toContain('"quoted" \\');
  });
});

describe('parseFeed: JSON Feed members of the wrong type', () => {
  it('skips feed members of the wrong type', async () => {
    const feed = await parseFeed(fixture('json-feed-wrong-types.json'));
    expect({ title: feed.title, description: feed.description, links: feed.links, bases: feed.bases }).toEqual({
      title: null,
      description: null,
      links: [],
      bases: [],
    });
  });

  it('reads a bare string as the 1.0 `author`, and ignores a string `authors`', async () => {
    const feed = await parseFeed(fixture('json-feed-wrong-types.json'));
    expect([feed.authors, feed.items[1]?.authors]).toEqual([[], ['Jo Writer']]);
  });

  it('skips items that are not objects', async () => {
    const feed = await parseFeed(fixture('json-feed-wrong-types.json'));
    expect(feed.items.map((item) => item.id)).toEqual([null, 'second']);
  });

  it('skips item members of the wrong type and reads numbers as text', async () => {
    const item = (await parseFeed(fixture('json-feed-wrong-types.json'))).items[0]!;
    expect(item).toMatchObject({
      id: null,
      links: [],
      title: text('2024'),
      description: null,
      content: text('The text survives.'),
      published: [],
      updated: ['2024-10-18T05:30:00Z'],
      authors: ['5'],
      categories: ['ok', '12'],
      enclosures: [],
    });
  });

  it('reads a single string as one tag', async () => {
    expect((await parseFeed(fixture('json-feed-wrong-types.json'))).items[1]?.categories).toEqual(['single']);
  });

  it('keeps only the attachments with a string URL, and no negative size', async () => {
    expect((await parseFeed(fixture('json-feed-wrong-types.json'))).items[1]?.enclosures).toEqual([
      { url: 'https://wrong.example/b.mp3', type: null, length: null },
    ]);
  });

  it('drops escaped control characters and replaces lone surrogates, as the XML path does', async () => {
    const item = await onlyItem([{ id: 'a\u0000b', title: 'x\u0007y \ud800 z\uffff', content_text: 'ok' }]);
    expect([item.id, item.title?.value]).toEqual(['ab', 'xy \ufffd z\ufffd']);
  });
});
