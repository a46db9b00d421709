import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeedError } from '../../../../src/errors.ts';
import { parseFeed, type ParsedFeed } from '../../../../src/ingest/parse/index.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../../fixtures/feeds');

function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

function rss(items: string, channel = '<title>t</title>'): string {
  return `<?xml version="1.0"?><rss version="2.0"><channel>${channel}${items}</channel></rss>`;
}

function atom(entries: string, feed = '<title>t</title>'): string {
  return `<feed xmlns="http://www.w3.org/2005/Atom">${feed}${entries}</feed>`;
}

async function parseError(text: string): Promise<FeedError> {
  const error = await parseFeed(text).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof FeedError)) throw new Error(`expected a FeedError, got ${String(error)}`);
  return error;
}

function firstItem(feed: ParsedFeed) {
  const item = feed.items[0];
  if (item === undefined) throw new Error('no item');
  return item;
}

describe('parseFeed: formats', () => {
  it.each([
    ['<rss version="2.0"><channel></channel></rss>', 'rss', 'rss2.0'],
    ['<rss><channel></channel></rss>', 'rss', 'rss2.0'],
    ['<rss version="0.91"><channel></channel></rss>', 'rss', 'rss0.91'],
    ['<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel/></rdf:RDF>', 'rss', 'rss1.0'],
    ['<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/"></rdf:RDF>', 'rss', 'rss0.90'],
    ['<feed xmlns="http://www.w3.org/2005/Atom"></feed>', 'atom', 'atom1.0'],
    ['<feed version="0.3" xmlns="http://purl.org/atom/ns#"></feed>', 'atom', 'atom0.3'],
  ])('detects %s', async (text, kind, format) => {
    const feed = await parseFeed(text);
    expect({ kind: feed.kind, format: feed.format }).toEqual({ kind, format });
  });

  it('reads an RSS 2.0 document: feed fields and raw items', async () => {
    const feed = await parseFeed(fixture('rss2-full.xml'));
    expect(feed.title).toEqual({ value: 'Example &amp; Daily', type: 'html', base: null });
    expect(feed.ttl).toBe('30');
    expect(feed.authors).toEqual(['desk@example.org (The Desk)']);
    expect(feed.links.map((link) => [link.href, link.rel])).toEqual([
      ['/', null],
      ['https://example.org/rss.xml', 'self'],
    ]);
    expect(feed.items).toHaveLength(2);
  });

  it('reads an RSS 1.0 item with its rdf:about and a dc: module under another prefix', async () => {
    const item = firstItem(await parseFeed(fixture('rss1-modules.xml')));
    expect(item.about).toBe('https://rdf.example.org/items/1');
    expect(item.published).toEqual(['2024-10-18T14:30:00+09:00']);
    expect(item.authors).toEqual(['RDF Writer']);
    expect(item.categories).toEqual(['Science']);
  });
});

describe('parseFeed: RSS items', () => {
  it('keeps the guid as written and its isPermaLink flag', async () => {
    const item = firstItem(await parseFeed(fixture('rss2-full.xml')));
    expect(item.id).toBe('  story-1  ');
    expect(item.guidIsPermaLink).toBe(false);
  });

  it('leaves isPermaLink null when the attribute is absent', async () => {
    const item = firstItem(await parseFeed(rss('<item><guid>https://x.example/1</guid></item>')));
    expect(item.guidIsPermaLink).toBeNull();
  });

  it('reads content:encoded by namespace when the feed uses another prefix', async () => {
    const item = firstItem(await parseFeed(fixture('rss2-full.xml')));
    expect(item.content?.value).toBe('<p>Full <a href="/more.html">story</a> <img src="img/1.jpg"></p>');
  });

  it('returns RSS categories as raw xml2js values', async () => {
    const item = firstItem(await parseFeed(fixture('rss2-full.xml')));
    expect(item.categories).toEqual([{ _: 'World', $: { domain: 'https://example.org/sections' } }, 'Korea', ' Korea ']);
  });

  it('reads enclosures and media:content', async () => {
    const feed = await parseFeed(fixture('rss2-full.xml'));
    expect(feed.items[0]?.enclosures).toEqual([{ url: '/audio/1.mp3', type: 'audio/mpeg', length: '12345' }]);
    expect(feed.items[1]?.enclosures).toEqual([{ url: 'https://cdn.example.org/2.jpg', type: 'image/jpeg', length: '999' }]);
  });

  it('keeps naked markup in a description as HTML, in document order', async () => {
    const item = firstItem(await parseFeed(rss('<item><description><p>One <b>two</b> three <i>four</i></p><p>five</p></description></item>')));
    expect(item.description).toEqual({ value: '<p>One <b>two</b> three <i>four</i></p><p>five</p>', type: 'xhtml', base: null });
  });

  it('supplies the channel rss-parser needs when items sit directly under <rss>', async () => {
    const feed = await parseFeed('<rss><item><title>orphan</title></item></rss>');
    expect(feed.items.map((item) => item.title?.value)).toEqual(['orphan']);
  });
});

describe('parseFeed: Atom entries', () => {
  it('returns links with rel, type and length', async () => {
    const item = firstItem(await parseFeed(fixture('atom-full.xml')));
    expect(item.links.map((link) => [link.rel, link.type, link.href])).toEqual([
      ['alternate', 'application/json', 'first.json'],
      ['alternate', 'text/html', 'first'],
      ['enclosure', 'audio/ogg', 'first.ogg'],
    ]);
  });

  it('returns xml:base of the feed and the entry, unresolved', async () => {
    const feed = await parseFeed(fixture('atom-full.xml'));
    expect(feed.bases).toEqual(['https://base.example.org/blog/']);
    expect(feed.items[0]?.base).toBe('2024/');
  });

  it('keeps xhtml content in document order without the wrapper div (RFC 4287 §4.1.3.3)', async () => {
    const item = firstItem(await parseFeed(fixture('atom-full.xml')));
    expect(item.content).toEqual({ value: 'One <b>two</b> three <i>four</i> <a href="pic.html">five</a>', type: 'xhtml', base: null });
  });

  it('reads Atom categories, subtitle and authors', async () => {
    const feed = await parseFeed(fixture('atom-full.xml'));
    expect(feed.description?.value).toBe('All the news');
    expect(feed.authors).toEqual(['Feed Author']);
    expect(feed.items[0]?.categories).toEqual([{ $: { term: 'politics', label: 'Politics' } }, { $: { term: 'asia' } }]);
    expect(feed.items[1]?.authors).toEqual(['Entry Author']);
  });

  it('keeps a feed whose entry has an unparseable date, with the date as written', async () => {
    const feed = await parseFeed(fixture('atom-full.xml'));
    expect(feed.items[1]?.updated).toEqual(['not a date at all']);
    expect(feed.items[0]?.published).toEqual(['2024-10-17T23:00:00-04:00']);
  });

  it('reads an Atom link written as element text without crashing', async () => {
    const item = firstItem(await parseFeed(atom('<entry><link>https://x.example/a</link></entry>')));
    expect(item.links.map((link) => link.href)).toEqual(['https://x.example/a']);
  });

  it('decodes Atom 0.3 base64 content', async () => {
    const item = firstItem(
      await parseFeed(
        '<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><content type="text/html" mode="base64">PGI+aGk8L2I+</content></entry></feed>',
      ),
    );
    expect(item.content).toEqual({ value: '<b>hi</b>', type: 'html', base: null });
  });

  it('skips base64 content of a non-text media type', async () => {
    const item = firstItem(await parseFeed(atom('<entry><content type="application/octet-stream">AAEC</content></entry>')));
    expect(item.content).toBeNull();
  });

  it('reads an Atom feed whose elements use a prefix', async () => {
    const feed = await parseFeed('<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:entry><a:id>x1</a:id><a:title>Prefixed</a:title></a:entry></a:feed>');
    expect(feed.items.map((item) => [item.id, item.title?.value])).toEqual([['x1', 'Prefixed']]);
  });
});

describe('parseFeed: lenient reading', () => {
  it('reads undeclared HTML entities and bare ampersands', async () => {
    const feed = await parseFeed(fixture('entities-undeclared.rss'));
    expect(feed.title?.value).toBe('Fish & Chips & more');
    expect(feed.items[0]?.title?.value).toBe('Kim’s visit\u00a0to Pyongyang… &madeup; \uFFFD');
    expect(feed.items[0]?.links[0]?.href).toBe('https://entities.example.org/a?x=1&y=2');
  });

  it('substitutes plain-text entities declared in the internal DTD subset', async () => {
    const item = firstItem(
      await parseFeed('<!DOCTYPE rss [<!ENTITY id "tag:example.com,">]><rss version="2.0"><channel><item><guid>&id;2006:/blog/</guid></item></channel></rss>'),
    );
    expect(item.id).toBe('tag:example.com,2006:/blog/');
  });

  it('leaves text inside CDATA sections alone', async () => {
    const item = firstItem(await parseFeed(rss('<item><title><![CDATA[AT&T &nbsp; <3]]></title></item>')));
    expect(item.title?.value).toBe('AT&T &nbsp; <3');
  });

  it('closes a document cut off inside its final end tag', async () => {
    const feed = await parseFeed(fixture('truncated.rss'));
    expect(feed.items.map((item) => item.id)).toEqual(['c-1', 'c-2']);
  });

  it('recovers from a stray end tag', async () => {
    const feed = await parseFeed(rss('<item><title>one</title></b></item><item><title>two</title></item>'));
    expect(feed.items.map((item) => item.title?.value)).toEqual(['one', 'two']);
  });

  it('recovers the complete items of a truncated document', async () => {
    const feed = await parseFeed('<rss version="2.0"><channel><item><title>kept</title></item><item><title>cut in the mid');
    expect(feed.items[0]?.title?.value).toBe('kept');
  });
});

describe('parseFeed: errors', () => {
  it('reports XML that cannot be repaired as malformed_xml with a line and column', async () => {
    const error = await parseError('<rss version="2.0">\n<channel>\n<title a=1>x</title></channel></rss>');
    expect(error.code).toBe('malformed_xml');
    expect(error.message).toMatch(/line 3, column \d+/);
  });

  it('reports an HTML page as not_a_feed with the feed links it advertises, as written', async () => {
    const error = await parseError(fixture('page-with-alternates.html'));
    expect(error.code).toBe('not_a_feed');
    expect(error.details.alternates).toEqual(['/feeds/rss.xml', 'https://example.org/feeds/atom.xml?a=1&b=2']);
    expect(error.message).toContain('/feeds/rss.xml');
  });

  it('reports an HTML page without feed links as not_a_feed with empty alternates', async () => {
    const error = await parseError('<!DOCTYPE html><meta charset="utf-8"><title>x</title><p>hi');
    expect(error.code).toBe('not_a_feed');
    expect(error.details.alternates).toEqual([]);
  });

  it('leaves alternates unset for documents that are not HTML', async () => {
    expect((await parseError('<note><to>Tove</to></note>')).details.alternates).toBeUndefined();
  });

  it('reads a document that starts like JSON as a JSON Feed, whatever follows', async () => {
    const feed = await parseFeed('\uFEFF \n {"version": "https://jsonfeed.org/version/1.1", "title": "<rss>", "items": []}');
    expect({ kind: feed.kind, format: feed.format }).toEqual({ kind: 'json', format: 'json1.1' });
  });

  it('reports another XML vocabulary as not_a_feed, naming its root element', async () => {
    const error = await parseError('<?xml version="1.0"?><note><to>Tove</to></note>');
    expect(error).toMatchObject({ code: 'not_a_feed', message: expect.stringContaining('<note>') });
  });

  it.each(['', '   \n', '<?xml version="1.0"?><!-- nothing -->'])('reports an empty document (%j) as not_a_feed', async (text) => {
    expect((await parseError(text)).code).toBe('not_a_feed');
  });

  it('reports plain text as not_a_feed', async () => {
    expect((await parseError('Service Unavailable')).code).toBe('not_a_feed');
  });
});

// A megabyte of markup built to make a parser backtrack or rescan. What is checked is what the
// parser makes of it; its time, against a quarter of the input, is a bench figure
// (bench/pure.ts). A quadratic step over a megabyte would also outlast the test timeout.
describe('parseFeed: hostile input', () => {
  const megabyte = 1_000_000;

  it('reads a megabyte of unclosed elements as far as it goes, finding no item', async () => {
    const feed = await parseFeed(`<rss version="2.0"><channel>’${'<title>x '.repeat(megabyte / 9)}`);
    expect(feed).toMatchObject({ format: 'rss2.0', items: [] });
  });

  it('keeps a megabyte of bare ampersands as text', async () => {
    const title = `’${'a & b &c; '.repeat(megabyte / 10)}`;
    const feed = await parseFeed(rss(`<item><title>${title}</title></item>`));
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]!.title!.value).toBe(title);
  });

  it('skips a megabyte of stray end tags', async () => {
    const feed = await parseFeed(rss(`<item><title>’x</title>${'</b>'.repeat(megabyte / 4)}</item>`));
    expect(feed.items.map((i) => i.title?.value)).toEqual(['’x']);
  });

  it('refuses a megabyte of nested text constructs that never close as malformed_xml', async () => {
    const error = await parseError(`<rss version="2.0"><channel><item>’${'<description>'.repeat(megabyte / 13)}`);
    expect(error.code).toBe('malformed_xml');
    expect(error.message).toContain('Unclosed root tag');
  });
});
