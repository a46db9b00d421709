import { describe, expect, it } from 'vitest';
import { MAX_OPML_OUTLINES, OpmlError, parseOpml } from '../../../src/ingest/opml-parse.ts';
import { renderOpml } from '../../../src/render/opml.ts';

const doc = (body: string, head = '<head><title>Subscriptions</title></head>') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">${head}<body>${body}</body></opml>`;

describe('parseOpml', () => {
  it('reads feeds at any depth, with folder titles as categories, outermost first', () => {
    const parsed = parseOpml(
      doc(`
      <outline text="News">
        <outline text="Korea" title="Korea">
          <outline type="rss" text="NK News" title="NK News" xmlUrl="https://nknews.example/feed" htmlUrl="https://nknews.example/"/>
        </outline>
        <outline type="rss" text="Wire" xmlUrl="https://wire.example/rss"/>
      </outline>
      <outline type="rss" text="Top level" xmlUrl="https://top.example/atom.xml"/>`),
    );
    expect(parsed.title).toBe('Subscriptions');
    expect(parsed.feeds).toEqual([
      { url: 'https://nknews.example/feed', title: 'NK News', htmlUrl: 'https://nknews.example/', categories: ['News', 'Korea'] },
      { url: 'https://wire.example/rss', title: 'Wire', htmlUrl: null, categories: ['News'] },
      { url: 'https://top.example/atom.xml', title: 'Top level', htmlUrl: null, categories: [] },
    ]);
    expect(parsed.problems).toEqual([]);
  });

  it('splits the category attribute on commas and slashes (OPML 2.0 category paths)', () => {
    const { feeds } = parseOpml(doc('<outline type="rss" text="A" xmlUrl="https://a.example/" category="/News/Korea, Tech ,korea"/>'));
    expect(feeds[0]!.categories).toEqual(['News', 'Korea', 'Tech', 'korea']);
  });

  it('accepts attribute names in any case, single quotes, entities and a BOM', () => {
    const { feeds } = parseOpml(
      `\uFEFF${doc(`<outline TYPE='rss' TEXT='Tom &amp; Jerry &#8211; &eacute;t&eacute;' XMLURL='https://x.example/feed?a=1&amp;b=2'/>`)}`,
    );
    expect(feeds).toEqual([{ url: 'https://x.example/feed?a=1&b=2', title: 'Tom & Jerry – été', htmlUrl: null, categories: [] }]);
  });

  it('prefers title over text, and tolerates a missing head and stray markup', () => {
    const parsed = parseOpml(
      '<opml version="1.0"><body><!-- <outline xmlUrl="https://commented.example/"/> --><outline text="T" title="Title" xmlUrl="https://b.example/"></outline></body></opml>',
    );
    expect(parsed.title).toBeNull();
    expect(parsed.feeds).toEqual([{ url: 'https://b.example/', title: 'Title', htmlUrl: null, categories: [] }]);
  });

  it('reports feed outlines without an xmlUrl, and keeps URLs as written for the caller to validate', () => {
    const parsed = parseOpml(doc('<outline type="rss" text="Broken"/><outline type="rss" text="Odd" xmlUrl="  ftp://x  "/>'));
    expect(parsed.problems).toEqual([{ title: 'Broken', reason: 'the outline "Broken" is of type rss but has no xmlUrl' }]);
    expect(parsed.feeds.map((f) => f.url)).toEqual(['ftp://x']);
  });

  it('ignores outlines outside the body (e.g. in head)', () => {
    const parsed = parseOpml('<opml><head><outline xmlUrl="https://head.example/"/></head><body/></opml>');
    expect(parsed.feeds).toEqual([]);
  });

  it.each([
    ['an RSS feed', '<?xml version="1.0"?><rss version="2.0"><channel/></rss>', 'not an OPML document: the root element is <rss>, not <opml>'],
    ['an HTML page', '<!doctype html><html><body>hi</body></html>', 'not an OPML document: the root element is <html>, not <opml>'],
    ['plain text', 'just some text', 'not an OPML document: no XML element found'],
    ['an empty string', '', 'not an OPML document: no XML element found'],
    ['OPML without a body', '<opml version="2.0"><head/></opml>', 'not an OPML document: it has no <body>'],
  ])('refuses %s', (_label, text, message) => {
    expect(() => parseOpml(text)).toThrow(new OpmlError(message));
  });

  it('refuses absurd documents instead of working through them', () => {
    const many = doc('<outline text="x"/>'.repeat(MAX_OPML_OUTLINES + 1));
    expect(() => parseOpml(many)).toThrow(/more than 10000 outlines/);
    const deep = doc('<outline text="x">'.repeat(100));
    expect(() => parseOpml(deep)).toThrow(/nested more than 64 deep/);
  });

  // Its time against a quarter of the tag is a bench figure (bench/pure.ts).
  it('ends the document at a tag that never closes, keeping what came before it', () => {
    const before = '<outline type="rss" text="Kept" xmlUrl="https://kept.example/feed"/>';
    expect(parseOpml(`<opml><body>${before}<outline ${'a="b" '.repeat(50_000)}`)).toEqual({
      title: null,
      feeds: [{ url: 'https://kept.example/feed', title: 'Kept', htmlUrl: null, categories: [] }],
      problems: [],
    });
  });

  it('reads back what renderOpml writes', () => {
    const written = renderOpml(
      'Tidings sources',
      [
        { title: 'A <b>&</b> "quoted"', xmlUrl: 'https://a.example/feed?x=1&y=2', htmlUrl: 'https://a.example/', category: 'korea,world' },
        { title: 'B', xmlUrl: 'https://b.example/rss' },
      ],
      new Date(0),
    );
    expect(parseOpml(written)).toEqual({
      title: 'Tidings sources',
      feeds: [
        { url: 'https://a.example/feed?x=1&y=2', title: 'A <b>&</b> "quoted"', htmlUrl: 'https://a.example/', categories: ['korea', 'world'] },
        { url: 'https://b.example/rss', title: 'B', htmlUrl: null, categories: [] },
      ],
      problems: [],
    });
  });
});
