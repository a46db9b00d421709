/**
 * Classification: what kind of document is this? The root element, found past the prolog,
 * decides RSS (0.9x, 1.0, 2.0) or Atom (0.3, 1.0); HTML pages, other XML vocabularies and text
 * are `not_a_feed` whether or not they are well-formed (an HTML page rarely is).
 */
import { FeedError } from '../../errors.ts';
import { describeHtmlPage, findAlternateHrefs } from './html-feed-links.ts';
import { ATOM03_NS, ATOM_NS, RDF_NS, RSS090_NS, type NamespaceMap } from './namespaces.ts';
import type { FeedKind } from './parsed-feed.ts';
import { attributeOf, endOf, endOfDoctype } from './xml-scan.ts';

export interface RootElement {
  /** Offset of the root start tag's "<". */
  start: number;
  /** Qualified name as written. */
  name: string;
  /** The start tag's attribute text. */
  attributes: string;
}

export interface Classification {
  kind: FeedKind;
  format: string;
}

/** Finds the root element, skipping the prolog (XML 1.0 §2.8: declaration, comments, PIs, doctype). */
export function findRootElement(text: string): RootElement {
  let pos = 0;
  const length = text.length;
  while (pos < length) {
    pos = skipWhitespace(text, pos);
    if (pos >= length) break;
    if (text.charCodeAt(pos) !== 0x3c /* < */) throw notMarkup(text, pos);
    if (text.startsWith('<?', pos)) {
      pos = endOf(text, '?>', pos + 2);
    } else if (text.startsWith('<!--', pos)) {
      pos = endOf(text, '-->', pos + 4);
    } else if (text.startsWith('<!', pos)) {
      pos = endOfDoctype(text, pos);
    } else {
      const match = /<([A-Za-z_][\w:.-]*)([^<>]{0,4000})/y;
      match.lastIndex = pos;
      const found = match.exec(text);
      if (found === null) throw new FeedError('malformed_xml', 'not well-formed XML: the document does not start with an element');
      return { start: pos, name: found[1]!, attributes: found[2]! };
    }
  }
  throw new FeedError('not_a_feed', 'the document is empty: no root element');
}

function skipWhitespace(text: string, pos: number): number {
  while (pos < text.length) {
    const code = text.charCodeAt(pos);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0xfeff) break;
    pos++;
  }
  return pos;
}

/** Text that is not markup (JSON never gets here: parse-feed.ts reads it as a JSON Feed). */
function notMarkup(text: string, pos: number): FeedError {
  const preview = text.slice(pos, pos + 40).replace(/\s+/g, ' ');
  return new FeedError('not_a_feed', `the document is not XML: it starts with "${preview}"`);
}

export function classifyRoot(text: string, root: RootElement, namespaces: NamespaceMap): Classification {
  const colon = root.name.indexOf(':');
  const local = colon === -1 ? root.name : root.name.slice(colon + 1);
  const prefix = colon === -1 ? '' : root.name.slice(0, colon);
  const namespace = prefix === '' ? defaultNamespaceOf(root.attributes) : (namespaces.get(prefix) ?? null);
  const version = attributeOf(root.attributes, 'version');

  if (local === 'rss') return { kind: 'rss', format: rssFormat(version) };
  if (local === 'RDF' && (namespace === RDF_NS || prefix === 'rdf')) {
    const isRss090 = defaultNamespaceOf(root.attributes) === RSS090_NS || [...namespaces.values()].includes(RSS090_NS);
    return { kind: 'rss', format: isRss090 ? 'rss0.90' : 'rss1.0' };
  }
  if (local === 'feed') {
    const isAtom03 = namespace === ATOM03_NS || (namespace !== ATOM_NS && version === '0.3');
    return { kind: 'atom', format: isAtom03 ? 'atom0.3' : 'atom1.0' };
  }
  const lowered = local.toLowerCase();
  const hasHtmlDoctype = /<!DOCTYPE\s+html\b/i.test(text.slice(0, root.start));
  if (lowered === 'html' || lowered === 'head' || lowered === 'body' || hasHtmlDoctype) throw htmlPage(text);
  throw new FeedError('not_a_feed', `the document is XML with root element <${root.name}>, not an RSS or Atom feed`);
}

/** RSS 0.9x keep their version; 2.0, 2.0.1, unversioned and unknown ones read as RSS 2.0 (rss-parser's defaultRSS: 2). */
function rssFormat(version: string | null): string {
  const trimmed = version?.trim() ?? '';
  return /^0\.9[0-4]$/.test(trimmed) ? `rss${trimmed}` : 'rss2.0';
}

/** not_a_feed for an HTML page: `details.alternates` is set (possibly empty) exactly when the document is HTML. */
function htmlPage(text: string): FeedError {
  const alternates = findAlternateHrefs(text);
  return new FeedError('not_a_feed', describeHtmlPage(alternates), { alternates });
}

function defaultNamespaceOf(attributes: string): string | null {
  return attributeOf(attributes, 'xmlns');
}
