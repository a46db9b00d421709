/**
 * The hostile-output suite: two publishers (RSS 2.0 and Atom) put every payload of
 * test/fixtures/hostile-payloads.ts into every field they control. After a poll, every
 * document and page Tidings serves is parsed by real parsers (libxml2 through xmllint for the
 * XML, parse5, an HTML5 parser, for HTML) and must keep its structure (one entry per item, no
 * element or attribute the publisher wrote) and hold nothing executable.
 */
import { execFileSync } from 'node:child_process';
import { parse, parseFragment } from 'parse5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { latestEndedPeriod } from '../../src/digest-periods.ts';
import { serve, type Service } from '../../src/main.ts';
import { PAYLOADS, xmlEscape } from '../fixtures/hostile-payloads.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

const TOKEN = 'hostile-output-admin-token-0123456789';
let fixtures: FixtureServer;
let service: Service;
let date: Date;

function rss(): string {
  const items = PAYLOADS.map(
    (p, i) => `<item>
<title>${xmlEscape(`R${i} ${p.text}`)}</title>
<link>${xmlEscape(`https://news.example/r${i}/"><script>alert(1)</script>`)}</link>
<guid isPermaLink="false">r-${i}</guid>
<pubDate>${date.toUTCString()}</pubDate>
<description>${xmlEscape(`<p>${p.text}</p>`)}</description>
<content:encoded>${xmlEscape(`<div>${p.text}</div>`)}</content:encoded>
<dc:creator>${xmlEscape(p.text)}</dc:creator>
<category>${xmlEscape(p.text)}</category>
<enclosure url="${xmlEscape(`https://news.example/r${i}.mp3?x="y`)}" type="${xmlEscape(p.text)}" length="12"/>
</item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>${xmlEscape(PAYLOADS[0]!.text)} &lt;script&gt;x&lt;/script&gt;</title><link>https://news.example/</link><description>d</description>${items.join('')}</channel></rss>`;
}

function atom(): string {
  const entries = PAYLOADS.map(
    (p, i) => `<entry>
<id>a-${i}</id>
<title type="html">${xmlEscape(`A${i} ${p.text}`)}</title>
<link rel="alternate" href="${xmlEscape(`https://news.example/a${i}?q="'<>`)}"/>
<link rel="enclosure" href="https://news.example/a${i}.mp3" type="${xmlEscape(p.text)}" length="${xmlEscape(p.text)}"/>
<updated>${date.toISOString()}</updated>
<author><name>${xmlEscape(p.text)}</name></author>
<category term="${xmlEscape(p.text)}"/>
<summary type="html">${xmlEscape(`<p>${p.text}</p>`)}</summary>
<content type="html">${xmlEscape(`<div>${p.text}</div>`)}</content>
</entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>urn:hostile</id><title>${xmlEscape(PAYLOADS[1]!.text)}</title><updated>${date.toISOString()}</updated>${entries.join('')}</feed>`;
}

/** libxml2's reading of an XML document: well-formed (xmllint fails otherwise), then an XPath count. */
function xpathCount(xml: string, expression: string): number {
  return Number(execFileSync('xmllint', ['--xpath', `count(${expression})`, '-'], { input: xml, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trim());
}

type Node = { nodeName: string; attrs?: Array<{ name: string; value: string }>; childNodes?: Node[]; content?: Node };
const EXECUTABLE = new Set(['script', 'iframe', 'frame', 'object', 'embed', 'form', 'input', 'button', 'style', 'link', 'meta', 'base', 'svg', 'math']);

/** What in an HTML5 tree could run or act: executable elements, event handlers, script URLs. */
function executable(node: Node, allowed: ReadonlySet<string> = new Set()): string[] {
  const found: string[] = [];
  if (EXECUTABLE.has(node.nodeName) && !allowed.has(node.nodeName)) found.push(`<${node.nodeName}>`);
  for (const attr of node.attrs ?? []) {
    if (/^on/i.test(attr.name)) found.push(`${node.nodeName}@${attr.name}`);
    if (/^(href|src|action|formaction|xlink:href)$/i.test(attr.name) && /^\s*(javascript|data|vbscript):/i.test(attr.value))
      found.push(`${node.nodeName}@${attr.name}=${attr.value.slice(0, 40)}`);
  }
  for (const child of [...(node.childNodes ?? []), ...(node.content ? [node.content] : [])]) found.push(...executable(child, allowed));
  return found;
}

const elements = (node: Node): string[] => [...(node.nodeName.startsWith('#') ? [] : [node.nodeName]), ...(node.childNodes ?? []).flatMap(elements)];
const get = async (path: string, headers: Record<string, string> = {}) => (await fetch(`${service.url}${path}`, { headers })).text();

beforeAll(async () => {
  const config = testConfig({ polling: { schedule: '0 0 1 1 *', timeoutMs: 10_000, maxBytes: 64 * 1024 * 1024, allowPrivateNetworks: true } });
  date = new Date(latestEndedPeriod(new Date(), config.topics[0]!.digest).end.getTime() - 2 * 3_600_000);
  fixtures = await startFixtureServer();
  fixtures.route('/hostile.rss', { body: rss() });
  fixtures.route('/hostile.atom', { body: atom(), contentType: 'application/atom+xml' });
  const sources = [
    { url: fixtures.url('/hostile.rss'), topics: ['korea'], priority: 0, nearDuplicates: false, fullContent: false },
    { url: fixtures.url('/hostile.atom'), topics: ['korea'], priority: 0, nearDuplicates: false, fullContent: false },
  ];
  service = await serve({ ...readEnv({}), port: 0, publicUrl: 'http://feeds.test', adminToken: TOKEN }, { ...config, sources }, silentLog, {
    handleSignals: false,
    database: await createTestDatabase(),
  });
  await service.pollNow();
  const polled = await service.context.db.selectFrom('sources').select(['url', 'error_code', 'error_message']).execute();
  expect(polled.filter((s) => s.error_code !== null)).toEqual([]);
  await service.digestsNow();
  await service.syncFeeds();
}, 120_000);
afterAll(async () => {
  await service?.stop();
  await fixtures?.close();
});

const ENTRIES = 2 * PAYLOADS.length;

describe('hostile publishers, every field, every payload', () => {
  it.each(['rss.xml', 'atom.xml'])('%s keeps its structure: one entry per item, nothing the publisher wrote as elements or attributes', async (file) => {
    const xml = await get(`/topics/korea/${file}`);
    const entry = file === 'rss.xml' ? 'item' : 'entry';
    expect(xpathCount(xml, `//*[local-name()="${entry}"]`)).toBe(ENTRIES);
    expect(xpathCount(xml, '//*[local-name()="script" or local-name()="iframe" or local-name()="svg" or local-name()="form" or local-name()="img"]')).toBe(0);
    expect(xpathCount(xml, '//@*[starts-with(local-name(), "on") or local-name()="data-x"]')).toBe(0);
  });

  it('JSON Feed: one entry per item, titles plain text, content without anything executable', async () => {
    const feed = JSON.parse(await get('/topics/korea/feed.json')) as {
      title: string;
      items: Array<{ title: string; content_html: string; url: string; authors?: Array<{ name: string }> }>;
    };
    expect(feed.items).toHaveLength(ENTRIES);
    for (const item of feed.items) {
      expect(elements(parseFragment(item.title) as Node), item.title.slice(0, 60)).toEqual([]);
      expect(executable(parseFragment(item.content_html) as Node), item.title.slice(0, 60)).toEqual([]);
      expect(new URL(item.url).protocol).toBe('https:');
    }
  });

  it.each(['rss.xml', 'atom.xml'])('%s: every title is plain text and every body holds nothing executable, read as HTML', async (file) => {
    const xml = await get(`/topics/korea/${file}`);
    const text = (expression: string) => execFileSync('xmllint', ['--xpath', expression, '-'], { input: xml, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const [title, body] =
      file === 'rss.xml'
        ? ['//*[local-name()="item"]/*[local-name()="title"]/text()', '//*[local-name()="encoded"]/text()']
        : ['//*[local-name()="entry"]/*[local-name()="title"]/text()', '//*[local-name()="entry"]/*[local-name()="content"]/text()'];
    // xmllint prints text nodes escaped again: unescape once to get the HTML a reader sees.
    const unescapeXml = (s: string) =>
      s
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&');
    expect(elements(parseFragment(unescapeXml(text(title))) as Node)).toEqual([]);
    expect(executable(parseFragment(unescapeXml(text(body))) as Node)).toEqual([]);
  });

  it('the pages show the payloads as text: the index, a published digest and the admin page', async () => {
    const digestFeed = JSON.parse(await get('/topics/korea/digest/feed.json')) as { items: Array<{ url: string; content_html: string }> };
    expect(digestFeed.items.length).toBeGreaterThan(0);
    expect(executable(parseFragment(digestFeed.items[0]!.content_html) as Node)).toEqual([]);
    const pages = [await get('/'), await get(new URL(digestFeed.items[0]!.url).pathname)];
    const login = await fetch(`${service.url}/admin/login`, { method: 'POST', body: new URLSearchParams({ token: TOKEN }), redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const sources = JSON.parse(await get('/admin/api/sources', { authorization: `Bearer ${TOKEN}` })) as { sources: Array<{ id: number }> };
    pages.push(await get('/admin', { cookie }));
    for (const source of sources.sources) pages.push(await get(`/admin/sources/${source.id}`, { cookie }));
    for (const html of pages) {
      // The admin page's own forms and stylesheet are ours: only what could run is checked there.
      expect(executable(parse(html) as Node, new Set(['form', 'input', 'button', 'style', 'meta', 'link']))).toEqual([]);
    }
  });
});
