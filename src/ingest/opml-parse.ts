/**
 * Reading OPML subscription lists (OPML 1.0 and 2.0, http://opml.org/spec2.opml) as
 * exported by feed readers: every `<outline>` with an `xmlUrl` is a feed, at any depth.
 * Its categories are the titles of the outlines it is nested in (reader folders) plus
 * its `category` attribute (comma-separated, each possibly a "/"-separated path).
 *
 * A small tag scanner rather than an XML parser: reader exports are often not quite
 * well-formed (bare `&`, HTML entities), and only outline attributes matter here.
 * (A leading BOM is just text before the first tag.)
 * Pure: text in, data out; no network, no database.
 */
import { decodeHtmlEntities } from '../text/html-text.ts';

export interface OpmlFeed {
  /** The xmlUrl as written (trimmed); not validated here. */
  url: string;
  title: string | null;
  htmlUrl: string | null;
  /** Folder titles and category attribute entries, outermost first, unique. */
  categories: string[];
}

export interface OpmlProblem {
  title: string | null;
  reason: string;
}

export interface ParsedOpml {
  title: string | null;
  feeds: OpmlFeed[];
  /** Outlines that look like feeds but cannot be one (e.g. type="rss" without xmlUrl). */
  problems: OpmlProblem[];
}

/** The text is not an OPML document at all. */
export class OpmlError extends Error {
  override readonly name = 'OpmlError';
}

export const MAX_OPML_OUTLINES = 10_000;
const MAX_DEPTH = 64;

const TAG_NAME = /<(\/?)([A-Za-z_][\w:.-]{0,100})/y;
const ATTRIBUTE = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

interface Tag {
  closing: boolean;
  /** Lower-cased. */
  name: string;
  attributes: string;
  selfClosing: boolean;
  /** Offsets of the tag's "<" and just after its ">". */
  start: number;
  end: number;
}

/**
 * The document's tags in order, skipping comments, CDATA, processing instructions and
 * doctypes. A linear scan (no backtracking regex over whole tags, which hostile input
 * could make exponential); an unterminated tag ends the document.
 */
function* scanTags(text: string): Generator<Tag> {
  // `continue` moves to the next '<' from wherever the body left `pos`.
  for (let pos = text.indexOf('<'); pos !== -1; pos = text.indexOf('<', pos)) {
    const skip = (
      [
        ['<!--', '-->'],
        ['<![CDATA[', ']]>'],
        ['<?', '?>'],
        ['<!', '>'],
      ] as const
    ).find(([open]) => text.startsWith(open, pos));
    if (skip) {
      const close = text.indexOf(skip[1], pos + skip[0].length);
      if (close === -1) return;
      pos = close + skip[1].length;
      continue;
    }
    TAG_NAME.lastIndex = pos;
    const name = TAG_NAME.exec(text);
    if (name === null) {
      pos++;
      continue;
    }
    let end = TAG_NAME.lastIndex;
    for (let quote: string | null = null; end < text.length; end++) {
      const c = text[end];
      if (quote !== null) {
        if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') break;
    }
    if (end >= text.length) return;
    const inner = text.slice(TAG_NAME.lastIndex, end).trimEnd();
    const selfClosing = inner.endsWith('/');
    yield {
      closing: name[1] === '/',
      name: name[2]!.toLowerCase(),
      attributes: selfClosing ? inner.slice(0, -1) : inner,
      selfClosing,
      start: pos,
      end: end + 1,
    };
    pos = end + 1;
  }
}

export function parseOpml(text: string): ParsedOpml {
  const feeds: OpmlFeed[] = [];
  const problems: OpmlProblem[] = [];
  let title: string | null = null;
  let root: string | null = null;
  let inBody = false;
  let sawBody = false;
  let titleStart: number | null = null;
  let outlines = 0;
  /** One entry per open <outline>: the folder title it contributes (null for feeds). */
  const open: Array<string | null> = [];

  for (const { closing, name, attributes: attributeText, selfClosing, start, end } of scanTags(text)) {
    if (root === null) {
      root = name;
      if (name !== 'opml') throw new OpmlError(`not an OPML document: the root element is <${name}>, not <opml>`);
      continue;
    }
    if (name === 'body') {
      inBody = !closing && !selfClosing;
      sawBody = true;
      continue;
    }
    if (name === 'title' && !inBody && title === null) {
      if (!closing) titleStart = end;
      else if (titleStart !== null) title = cleanText(text.slice(titleStart, start)) || null;
      continue;
    }
    if (name !== 'outline' || !inBody) continue;
    if (closing) {
      open.pop();
      continue;
    }
    if (++outlines > MAX_OPML_OUTLINES) throw new OpmlError(`the OPML document has more than ${MAX_OPML_OUTLINES} outlines`);
    const attributes = parseAttributes(attributeText);
    const label = cleanText(attributes.get('title') ?? attributes.get('text') ?? '') || null;
    const xmlUrl = (attributes.get('xmlurl') ?? '').trim();
    if (xmlUrl !== '') {
      const folders = open.filter((folder): folder is string => folder !== null);
      feeds.push({
        url: xmlUrl,
        title: label,
        htmlUrl: attributes.get('htmlurl')?.trim() || null,
        categories: unique([...folders, ...categoryEntries(attributes.get('category'))]),
      });
    } else if (/^(rss|atom)$/i.test(attributes.get('type') ?? '')) {
      problems.push({ title: label, reason: `the outline${label ? ` "${label}"` : ''} is of type ${attributes.get('type')} but has no xmlUrl` });
    }
    if (!selfClosing) {
      if (open.length >= MAX_DEPTH) throw new OpmlError(`the OPML outlines are nested more than ${MAX_DEPTH} deep`);
      open.push(xmlUrl === '' ? label : null);
    }
  }
  if (root === null) throw new OpmlError('not an OPML document: no XML element found');
  if (!sawBody) throw new OpmlError('not an OPML document: it has no <body>');
  return { title, feeds, problems };
}

/** Attribute names lower-cased (readers write xmlUrl, xmlurl, XMLURL), values entity-decoded. */
function parseAttributes(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const [, name, double, single, bare] of text.matchAll(ATTRIBUTE)) {
    const key = name!.toLowerCase();
    if (!attributes.has(key)) attributes.set(key, decodeHtmlEntities(double ?? single ?? bare ?? ''));
  }
  return attributes;
}

/** OPML 2.0: "a string of comma-separated slash-delimited category strings". */
function categoryEntries(attribute: string | undefined): string[] {
  if (attribute === undefined) return [];
  return attribute.split(',').flatMap((path) =>
    path
      .split('/')
      .map(cleanText)
      .filter((part) => part !== ''),
  );
}

function cleanText(text: string): string {
  return decodeHtmlEntities(text.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1'))
    .replace(/\s+/g, ' ')
    .trim();
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
