/**
 * The sanitizer against hostile HTML (test/fixtures/hostile-html/, OWASP filter-evasion
 * style) and against the legitimate content it must keep.
 *
 * Each output is parsed back with htmlparser2 (sanitize-html's own parser) and, separately,
 * scanned with a regex over every `<`, so a check does not depend on one parser's reading.
 * The allow-lists below are this test's own, written independently of sanitize.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { sanitizeHtml } from '../../../src/render/sanitize.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/hostile-html');
const BASE = 'https://news.example.com/world/2026/11/24/story.html?id=7';

interface Payload {
  name: string;
  html: string;
}

interface Family {
  family: string;
  payloads: Payload[];
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as T;
}

const families: Family[] = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.json') && file !== 'urls.json')
  .sort()
  .map((file) => readJson<Family>(file));
const hostileUrls = readJson<{ urls: string[] }>('urls.json').urls;

const ALLOWED_TAGS = new Set([
  'p',
  'br',
  'hr',
  'div',
  'span',
  'a',
  'strong',
  'b',
  'em',
  'i',
  'u',
  's',
  'del',
  'ins',
  'mark',
  'small',
  'sub',
  'sup',
  'abbr',
  'cite',
  'q',
  'blockquote',
  'code',
  'pre',
  'kbd',
  'ul',
  'ol',
  'li',
  'dl',
  'dt',
  'dd',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'caption',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'th',
  'td',
  'figure',
  'figcaption',
  'img',
]);

const ALLOWED_ATTRIBUTES: Record<string, readonly string[]> = {
  a: ['href', 'title', 'rel'],
  img: ['src', 'srcset', 'sizes', 'alt', 'title', 'width', 'height'],
  abbr: ['title'],
  blockquote: ['cite'],
  q: ['cite'],
  ol: ['start', 'reversed'],
  li: ['value'],
  th: ['colspan', 'rowspan', 'scope'],
  td: ['colspan', 'rowspan'],
};
const GLOBAL_ATTRIBUTES = ['lang', 'dir'];

interface ParsedElement {
  name: string;
  attribs: Record<string, string>;
}

interface ParsedOutput {
  elements: ParsedElement[];
  /** Comments, CDATA sections, doctypes and processing instructions: none may survive. */
  markupDeclarations: string[];
  text: string;
}

function parseOutput(html: string): ParsedOutput {
  const parsed: ParsedOutput = { elements: [], markupDeclarations: [], text: '' };
  const parser = new Parser(
    {
      onopentag: (name, attribs) => parsed.elements.push({ name, attribs }),
      oncomment: (data) => parsed.markupDeclarations.push(`comment:${data}`),
      oncdatastart: () => parsed.markupDeclarations.push('cdata'),
      onprocessinginstruction: (name, data) => parsed.markupDeclarations.push(`pi:${name}:${data}`),
      ontext: (text) => (parsed.text += text),
    },
    { decodeEntities: true, recognizeCDATA: true },
  );
  parser.write(html);
  parser.end();
  return parsed;
}

function isUrlWithScheme(value: string, schemes: readonly string[]): boolean {
  try {
    const url = new URL(value);
    // Also canonical: nothing a browser would strip or reinterpret hides in the value.
    return schemes.includes(url.protocol) && url.href === value;
  } catch {
    return false;
  }
}

const LINK_SCHEMES = ['http:', 'https:', 'mailto:'];
const RESOURCE_SCHEMES = ['http:', 'https:'];

/** Every way the output could run script, load content or escape its CDATA/JSON container. */
function findProblems(output: string): string[] {
  const problems: string[] = [];
  const parsed = parseOutput(output);
  for (const element of parsed.elements) {
    if (!ALLOWED_TAGS.has(element.name)) problems.push(`element <${element.name}>`);
    const allowed = [...(ALLOWED_ATTRIBUTES[element.name] ?? []), ...GLOBAL_ATTRIBUTES];
    for (const [name, value] of Object.entries(element.attribs)) {
      if (!allowed.includes(name)) problems.push(`attribute ${name} on <${element.name}>`);
      if (/^on/i.test(name)) problems.push(`event handler ${name}`);
      if (name === 'href' && !isUrlWithScheme(value, LINK_SCHEMES)) problems.push(`href ${JSON.stringify(value)}`);
      if ((name === 'src' || name === 'cite') && !isUrlWithScheme(value, RESOURCE_SCHEMES)) problems.push(`${name} ${JSON.stringify(value)}`);
      if (name === 'srcset') {
        for (const candidate of value.split(', ')) {
          const url = candidate.split(' ')[0]!;
          if (!isUrlWithScheme(url, RESOURCE_SCHEMES)) problems.push(`srcset candidate ${JSON.stringify(candidate)}`);
        }
      }
      if (name === 'dir' && !['ltr', 'rtl', 'auto'].includes(value)) problems.push(`dir ${JSON.stringify(value)}`);
      if (name === 'lang' && !/^[A-Za-z0-9-]+$/.test(value)) problems.push(`lang ${JSON.stringify(value)}`);
      if ((name === 'width' || name === 'height') && !/^\d+%?$/.test(value)) problems.push(`${name} ${JSON.stringify(value)}`);
    }
    if (element.name === 'a') {
      if (element.attribs.href === undefined) problems.push('<a> without href');
      if (element.attribs.rel !== 'noopener noreferrer nofollow') problems.push(`<a rel=${JSON.stringify(element.attribs.rel)}>`);
    }
    if (element.name === 'img' && element.attribs.src === undefined && element.attribs.srcset === undefined) {
      problems.push('<img> without src');
    }
  }
  problems.push(...parsed.markupDeclarations.map((declaration) => `markup declaration ${declaration}`));
  // Independent of any parser: since text is escaped, every literal "<" must open or close an allowed tag.
  for (const match of output.matchAll(/<(\/?)([^\s/>]*)/g)) {
    if (!ALLOWED_TAGS.has(match[2]!)) problems.push(`raw "<${match[1]}${match[2]}"`);
  }
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(output)) problems.push('control character or noncharacter');
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(output)) problems.push('lone surrogate');
  if (output.includes(']]>')) problems.push('"]]>" would end a CDATA section');
  return problems;
}

describe('sanitizeHtml with hostile payloads', () => {
  for (const { family, payloads } of families) {
    describe(family, () => {
      it.each(payloads.map((p) => [p.name, p.html]))('%s', (_name, html) => {
        for (const base of [BASE, null]) {
          const output = sanitizeHtml(html, base);
          expect(findProblems(output), output).toEqual([]);
          // Stable: sanitizing the output again changes nothing (no mutation on re-parse).
          expect(sanitizeHtml(output, base)).toBe(output);
        }
      });
    });
  }

  it('keeps no script-capable element name anywhere in the raw output', () => {
    for (const { payloads } of families) {
      for (const { html } of payloads) {
        const output = sanitizeHtml(html, BASE);
        expect(output).not.toMatch(
          /<\s*\/?\s*(script|style|iframe|frame|object|embed|applet|svg|math|form|input|button|meta|link|base|template|noscript|textarea)\b/i,
        );
      }
    }
  });

  it('has a checker that flags the raw payloads (so passing means something)', () => {
    const all = families.flatMap((f) => f.payloads);
    const unflagged = all.filter((p) => findProblems(p.html).length === 0).map((p) => p.name);
    // The few payloads that are inert as written (escaped text, UTF-7, full-width brackets) are the only ones allowed through.
    expect(unflagged.length, unflagged.join('\n')).toBeLessThan(all.length * 0.1);
  });

  it('covers the fixture families it claims to', () => {
    expect(families.map((f) => f.family)).toEqual(
      expect.arrayContaining([
        'script elements',
        'event handler attributes',
        'dangerous URL schemes',
        'embedded content',
        'document-level elements',
        'CSS',
        'SVG and MathML',
        'parser tricks',
      ]),
    );
    expect(families.reduce((n, f) => n + f.payloads.length, 0)).toBeGreaterThan(200);
  });
});

describe('sanitizeHtml with hostile URLs in every URL-bearing attribute', () => {
  const contexts: Array<[string, (url: string) => string]> = [
    ['a href', (u) => `<a href="${u}">x</a>`],
    ['a href single-quoted', (u) => `<a href='${u}'>x</a>`],
    ['a href unquoted', (u) => `<a href=${u.replaceAll(' ', '%20')}>x</a>`],
    ['img src', (u) => `<img src="${u}" alt="x">`],
    ['img srcset', (u) => `<img srcset="${u} 2x">`],
    ['img srcset after a good candidate', (u) => `<img srcset="https://ok.example/a.jpg 1x, ${u} 2x">`],
    ['img lazy data-src', (u) => `<img src="data:image/gif;base64,R0lGOD" data-src="${u}">`],
    ['blockquote cite', (u) => `<blockquote cite="${u}">x</blockquote>`],
    ['q cite', (u) => `<q cite="${u}">x</q>`],
    ['area href', (u) => `<map><area href="${u}"></map>`],
    ['iframe src', (u) => `<iframe src="${u}"></iframe>`],
    ['form action', (u) => `<form action="${u}"><button formaction="${u}">x</button></form>`],
    ['object data', (u) => `<object data="${u}"></object>`],
    ['embed src', (u) => `<embed src="${u}">`],
    ['video poster', (u) => `<video poster="${u}"><source src="${u}"></video>`],
    ['svg xlink:href', (u) => `<svg><a xlink:href="${u}"><text>x</text></a></svg>`],
    ['math href', (u) => `<math href="${u}"><mi>x</mi></math>`],
    ['base href', (u) => `<base href="${u}"><a href="/x">x</a>`],
    ['link href', (u) => `<link rel="stylesheet" href="${u}">`],
    ['meta refresh', (u) => `<meta http-equiv="refresh" content="0;url=${u}">`],
    ['table background', (u) => `<table background="${u}"><tr><td>x</td></tr></table>`],
    ['style url()', (u) => `<p style="background:url('${u}')">x</p>`],
  ];
  it.each(contexts)('%s', (_name, build) => {
    for (const url of hostileUrls) {
      const html = build(url);
      const output = sanitizeHtml(html, BASE);
      expect(findProblems(output), `${html}\n=> ${output}`).toEqual([]);
      // Only http(s) URLs may appear, and only ones the input spelled as a plain relative path.
      const parsed = parseOutput(output);
      for (const element of parsed.elements) {
        for (const name of ['href', 'src', 'srcset', 'cite']) {
          const value = element.attribs[name];
          if (value === undefined) continue;
          expect(value, `${html}\n=> ${output}`).toMatch(/^https:\/\/(ok\.example|news\.example\.com)\//);
        }
      }
    }
  });
});

describe('sanitizeHtml keeps legitimate content', () => {
  it('keeps paragraphs, emphasis, quotes and code', () => {
    const html =
      '<p>The <strong>ceasefire</strong> <em>held</em>, <b>officials</b> <i>said</i>.</p>' +
      '<blockquote><p>We will talk.</p></blockquote><pre><code>  indented\n  code</code></pre>' +
      '<p>H<sub>2</sub>O, E=mc<sup>2</sup>, <abbr title="Demilitarized Zone">DMZ</abbr>, <q>quoted</q>, <cite>Source</cite>, <u>u</u> <s>s</s></p><hr>';
    expect(sanitizeHtml(html, BASE)).toBe(html.replace('<hr>', '<hr />'));
  });

  it('keeps links, made absolute, with rel and without target', () => {
    expect(sanitizeHtml('<a href="https://other.example/a?b=1&amp;c=2" target="_blank" title="T">x</a>', BASE)).toBe(
      '<a href="https://other.example/a?b=1&amp;c=2" rel="noopener noreferrer nofollow" title="T">x</a>',
    );
    expect(sanitizeHtml('<a href="mailto:desk@news.example.com">mail</a>', BASE)).toBe(
      '<a href="mailto:desk@news.example.com" rel="noopener noreferrer nofollow">mail</a>',
    );
  });

  it('resolves every kind of relative URL against the article URL', () => {
    const cases: Array<[string, string]> = [
      ['/korea/nk.html', 'https://news.example.com/korea/nk.html'],
      ['photo.jpg', 'https://news.example.com/world/2026/11/24/photo.jpg'],
      ['../23/earlier.html', 'https://news.example.com/world/2026/11/23/earlier.html'],
      ['?page=2', 'https://news.example.com/world/2026/11/24/story.html?page=2'],
      ['#footnote-1', 'https://news.example.com/world/2026/11/24/story.html?id=7#footnote-1'],
      ['//cdn.example.net/a.jpg', 'https://cdn.example.net/a.jpg'],
      ['  /padded.html  ', 'https://news.example.com/padded.html'],
      ['/서울/사진.jpg', 'https://news.example.com/%EC%84%9C%EC%9A%B8/%EC%82%AC%EC%A7%84.jpg'],
    ];
    for (const [relative, absolute] of cases) {
      expect(sanitizeHtml(`<a href="${relative}">x</a>`, BASE)).toBe(`<a href="${absolute}" rel="noopener noreferrer nofollow">x</a>`);
      expect(sanitizeHtml(`<img src="${relative}">`, BASE)).toBe(`<img src="${absolute}" />`);
    }
    expect(sanitizeHtml('<blockquote cite="/source">q</blockquote>', BASE)).toBe('<blockquote cite="https://news.example.com/source">q</blockquote>');
  });

  it('without a base URL keeps absolute URLs and drops ones it cannot resolve', () => {
    expect(sanitizeHtml('<a href="https://a.example/x">abs</a> <a href="/rel">rel</a> <img src="rel.jpg"><img src="//cdn.example/a.png">', null)).toBe(
      '<a href="https://a.example/x" rel="noopener noreferrer nofollow">abs</a> <span>rel</span> <img src="https://cdn.example/a.png" />',
    );
    expect(sanitizeHtml('<a href="/x">x</a>', 'not a url')).toBe('<span>x</span>');
  });

  it('keeps images with alt text and dimensions, and srcset made absolute', () => {
    expect(
      sanitizeHtml(
        '<figure><img src="/p/a.jpg" alt="Panmunjom &amp; the DMZ" width="640" height="427" loading="lazy"><figcaption>판문점</figcaption></figure>',
        BASE,
      ),
    ).toBe(
      '<figure><img src="https://news.example.com/p/a.jpg" alt="Panmunjom &amp; the DMZ" width="640" height="427" /><figcaption>판문점</figcaption></figure>',
    );
    expect(sanitizeHtml('<img src="a.jpg" srcset="a-640.jpg 640w, https://cdn.example/a-1280.jpg 1280w" sizes="(max-width: 600px) 100vw, 600px">', BASE)).toBe(
      '<img src="https://news.example.com/world/2026/11/24/a.jpg" srcset="https://news.example.com/world/2026/11/24/a-640.jpg 640w, https://cdn.example/a-1280.jpg 1280w" sizes="(max-width: 600px) 100vw, 600px" />',
    );
  });

  it('unwraps <picture> to its img and promotes lazy-loading attributes', () => {
    expect(sanitizeHtml('<picture><source srcset="/a.webp" type="image/webp"><img src="/a.jpg" alt="A"></picture>', BASE)).toBe(
      '<img src="https://news.example.com/a.jpg" alt="A" />',
    );
    expect(sanitizeHtml('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/real.jpg" alt="R">', BASE)).toBe(
      '<img src="https://news.example.com/real.jpg" alt="R" />',
    );
  });

  it('drops tracking pixels', () => {
    const pixels = [
      '<img src="https://track.example/p.gif" width="1" height="1">',
      '<img src="https://track.example/p.gif" width="0" height="0" alt="">',
      '<img src="https://track.example/p.gif" style="width:1px;height:1px">',
      '<img src="https://track.example/p.gif" style="display:none">',
    ];
    for (const pixel of pixels) expect(sanitizeHtml(`<p>text${pixel}</p>`, BASE)).toBe('<p>text</p>');
    expect(sanitizeHtml('<img src="https://ok.example/wide.gif" width="1" height="300">', BASE)).toBe(
      '<img src="https://ok.example/wide.gif" width="1" height="300" />',
    );
  });

  it('keeps lists and definition lists', () => {
    const html = '<ul><li>one</li><li>two</li></ul><ol start="3" reversed><li value="3">three</li></ol><dl><dt>term</dt><dd>definition</dd></dl>';
    expect(sanitizeHtml(html, BASE)).toBe(html);
  });

  it('keeps tables with spans and scope', () => {
    const html =
      '<table><caption>Launches</caption><thead><tr><th scope="col">Date</th><th colspan="2">Type</th></tr></thead>' +
      '<tbody><tr><td rowspan="2">11-24</td><td>SRBM</td><td>2</td></tr></tbody><tfoot><tr><td>total</td></tr></tfoot></table>';
    expect(sanitizeHtml(html, BASE)).toBe(html);
  });

  it('keeps Korean text, entities and lang/dir', () => {
    expect(sanitizeHtml('<p lang="ko">북한, 동해상으로 탄도미사일 발사&hellip; 합참 &ldquo;추가 도발 대비&rdquo;</p>', BASE)).toBe(
      '<p lang="ko">북한, 동해상으로 탄도미사일 발사… 합참 “추가 도발 대비”</p>',
    );
    expect(sanitizeHtml('<p>&#xBD81;&#54620; &amp; &lt;South&gt; &quot;Korea&quot; &nbsp;&mdash; 5 &gt; 3</p>', BASE)).toBe(
      '<p>북한 &amp; &lt;South&gt; "Korea" \u00a0— 5 &gt; 3</p>',
    );
    expect(sanitizeHtml('<p dir="RTL" lang="ar">مرحبا</p>', BASE)).toBe('<p lang="ar" dir="rtl">مرحبا</p>');
  });

  it('demotes h1 to h2 and keeps h2–h6', () => {
    expect(sanitizeHtml('<h1>Title</h1><h2>a</h2><h6>b</h6>', BASE)).toBe('<h2>Title</h2><h2>a</h2><h6>b</h6>');
  });

  it('drops presentation attributes but keeps the content of unknown elements', () => {
    expect(sanitizeHtml('<div class="x" id="y" style="color:red"><span class="z">text</span></div><font color="red">red</font><center>c</center>', BASE)).toBe(
      '<div><span>text</span></div>redc',
    );
  });

  it('closes unclosed tags so the fragment is balanced', () => {
    expect(sanitizeHtml('<p><b>bold <i>both', BASE)).toBe('<p><b>bold <i>both</i></b></p>');
    expect(sanitizeHtml('<ul><li>a<li>b', BASE)).toBe('<ul><li>a</li><li>b</li></ul>');
  });

  it('returns an empty string for empty or script-only input', () => {
    expect(sanitizeHtml('', BASE)).toBe('');
    expect(sanitizeHtml('  \n ', BASE)).toBe('');
    expect(sanitizeHtml('<script>alert(1)</script>', BASE)).toBe('');
  });
});

describe('sanitizeHtml output fits XML CDATA and JSON', () => {
  it('strips C0 controls, U+FFFE/U+FFFF and lone surrogates but keeps tab, newline and astral characters', () => {
    const output = sanitizeHtml('<p>a\u0000b\u0001c\u000bd\u001fe\tf\ng\r\nh\ufffei\uffffj\ud800k\udc00l 😀 &#1;&#x1F;</p>', BASE);
    expect(output).toBe('<p>abcde\tf\ng\r\nhijkl 😀 </p>');
  });

  it('never lets "]]>" through', () => {
    expect(sanitizeHtml('<p>a ]]> b</p><a href="https://ok.example/?q=]]>" title="]]>">x</a>', BASE)).not.toContain(']]>');
  });

  it('round-trips through JSON unchanged', () => {
    const output = sanitizeHtml('<p lang="ko">한국어 "따옴표" \\ 백슬래시\u2028</p>', BASE);
    expect(JSON.parse(JSON.stringify(output))).toBe(output);
  });
});

// Speed is measured by `npm run bench`; these only prove that hostile shapes finish
// (within the test timeout) and come out clean.
describe('sanitizeHtml on hostile shapes', () => {
  it.each([
    ['200,000 nested unclosed divs', '<div>'.repeat(200_000)],
    ['100,000 stray closing tags under deep nesting', '<b>'.repeat(10_000) + '</x>'.repeat(100_000)],
    ['30,000 tracking pixels', '<img src=/p.gif width=1 height=1>'.repeat(30_000)],
    ['30,000 hostile links', '<a href="javascript:x">y</a>'.repeat(30_000)],
    ['a 1 MB unterminated attribute', `<a href="${'x'.repeat(1_000_000)}`],
    ['a srcset with 100,000 candidates', `<img srcset="${'a.jpg 1x,'.repeat(100_000)}">`],
    ['1 MB of "<"', '<'.repeat(1_000_000)],
  ])('finishes with safe output on %s', (_name, html) => {
    expect(findProblems(sanitizeHtml(html, BASE))).toEqual([]);
  });

  it('caps hostile nesting by cutting the document, not by failing', () => {
    const output = sanitizeHtml(`${'<div>'.repeat(30_000)}<p>deep</p>`, BASE);
    expect(output.startsWith('<div><div>')).toBe(true);
    expect(output).not.toContain('deep');
    expect(findProblems(output)).toEqual([]);
  });
});
