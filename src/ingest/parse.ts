/**
 * parse: decoded text → the raw reading of an RSS or Atom document (ParsedFeed).
 *
 * rss-parser's `parseString` (a new Parser per call, docs/architecture.md) does the XML work. Around it:
 *  1. classification before parsing: JSON, HTML pages and other XML vocabularies are
 *     `not_a_feed` whether or not they are well-formed (an HTML page rarely is), and an HTML
 *     page's `<link rel="alternate">` feed links are reported;
 *  2. a linear pre-pass that makes real-world feeds acceptable to a strict XML parser the way
 *     lenient readers treat them: bare `&` and unknown entity names become text, entities
 *     declared in the internal DTD subset are substituted (without recursion, with a size
 *     budget), and Atom `type="xhtml"` / inline-markup text constructs are wrapped in CDATA so
 *     their markup survives in document order (xml2js would regroup it by element name);
 *  3. element names normalized by namespace, not prefix (rss-parser matches literal prefixes):
 *     a `c:encoded` bound to the content module reads as `content:encoded`, `<r:rss>` in the
 *     userland namespace as `<rss>`; and the Atom elements rss-parser interprets itself
 *     (`published`/`updated`, which it feeds to `new Date().toISOString()` and so rejects the
 *     whole document on one bad date, and `link`, which it dereferences without checking) are
 *     renamed so only our code reads them;
 *  4. one recovery attempt for documents that are not well-formed: close a truncated final
 *     tag, drop stray end tags and close elements left open at the end.
 * Every failure is a FeedError: `malformed_xml` (with line/column) or `not_a_feed`.
 */
import Parser from 'rss-parser';
import { FeedError } from '../errors.ts';
import { NAMED_ENTITIES, XML_PREDEFINED_ENTITIES, decodeHtmlEntities } from './html-text.ts';

// ---------------------------------------------------------------------------------------------
// The parsed shape

/** A text construct: RSS text or HTML, Atom text/html/xhtml (RFC 4287 §3.1). */
export interface ParsedText {
  /** Plain text when type is 'text'; HTML markup when 'html' or 'xhtml' (the xhtml wrapper div removed). */
  value: string;
  type: 'text' | 'html' | 'xhtml';
  /** xml:base on the element itself, unresolved. */
  base: string | null;
}

/** An RSS <link> (rel null) or an Atom link (RFC 4287 §4.2.7). */
export interface ParsedLink {
  href: string;
  rel: string | null;
  type: string | null;
  length: string | null;
  /** xml:base on the link element, unresolved. */
  base: string | null;
}

/** An RSS <enclosure> or a Media RSS <media:content>. Atom enclosures are links with rel="enclosure". */
export interface ParsedEnclosure {
  url: string;
  type: string | null;
  length: string | null;
}

export interface ParsedItem {
  /** xml:base on the entry/item element, unresolved. */
  base: string | null;
  /** RSS <guid> or Atom <id> text as written (not trimmed). */
  id: string | null;
  /** RSS guid@isPermaLink when present (RSS 2.0 says it defaults to true); null otherwise. */
  guidIsPermaLink: boolean | null;
  /** RSS 1.0 item@rdf:about. */
  about: string | null;
  links: ParsedLink[];
  title: ParsedText | null;
  /** RSS <description> / Atom <summary>. */
  description: ParsedText | null;
  /** content:encoded / Atom <content> / xhtml:body. */
  content: ParsedText | null;
  /** Publication date strings, most authoritative first (pubDate, published, issued, dc:date…). */
  published: string[];
  /** Update date strings, most authoritative first (updated, modified, dcterms:modified…). */
  updated: string[];
  /** dc:creator, RSS <author>, Atom author names, in that order. */
  authors: string[];
  /** Raw xml2js values of RSS <category>, Atom <category> and dc:subject. */
  categories: unknown[];
  enclosures: ParsedEnclosure[];
}

export interface ParsedFeed {
  kind: FeedKind;
  /** 'rss2.0', 'rss1.0', 'rss0.90', 'rss0.91' … 'rss0.94', 'atom1.0', 'atom0.3'. */
  format: string;
  /** xml:base values from the root element inward (root, then RSS channel), unresolved. */
  bases: string[];
  title: ParsedText | null;
  /** RSS channel <description> / Atom <subtitle> (<tagline> in Atom 0.3). */
  description: ParsedText | null;
  links: ParsedLink[];
  /** managingEditor / dc:creator / Atom feed authors (entries inherit them, RFC 4287 §4.2.1). */
  authors: string[];
  /** RSS <ttl> text. */
  ttl: string | null;
  items: ParsedItem[];
}

// ---------------------------------------------------------------------------------------------
// Entry point

export async function parseFeed(text: string): Promise<ParsedFeed> {
  try {
    const root = findRootElement(text);
    const namespaces = collectNamespaceDeclarations(text);
    const classification = classifyRoot(text, root, namespaces);
    const prepared = prepareForXmlParser(text, root, namespaces);
    let raw: RawFeed;
    try {
      raw = await runRssParser(prepared, namespaces, classification.kind);
    } catch (firstError) {
      raw = await retryAfterRepair(prepared, namespaces, classification.kind, firstError);
    }
    return buildParsedFeed(raw, classification, root);
  } catch (error) {
    if (error instanceof FeedError) throw error;
    throw new FeedError('internal_error', `parsing failed unexpectedly: ${String(error)}`, { cause: error });
  }
}

async function retryAfterRepair(text: string, namespaces: NamespaceMap, kind: FeedKind, firstError: unknown): Promise<RawFeed> {
  if (!isXmlSyntaxError(firstError)) throw asMalformed(firstError);
  const repaired = repairElementStructure(text);
  if (repaired === text) throw asMalformed(firstError);
  try {
    return await runRssParser(repaired, namespaces, kind);
  } catch {
    throw asMalformed(firstError);
  }
}

// ---------------------------------------------------------------------------------------------
// Classification: what kind of document is this?

export type FeedKind = 'rss' | 'atom';

interface RootElement {
  /** Offset of the root start tag's "<". */
  start: number;
  /** Qualified name as written. */
  name: string;
  /** The start tag's attribute text. */
  attributes: string;
}

interface Classification {
  kind: FeedKind;
  format: string;
}

const ATOM_NS = 'http://www.w3.org/2005/Atom';
const ATOM03_NS = 'http://purl.org/atom/ns#';
const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const RSS090_NS = 'http://my.netscape.com/rdf/simple/0.9/';

/** Finds the root element, skipping the prolog (XML 1.0 §2.8: declaration, comments, PIs, doctype). */
function findRootElement(text: string): RootElement {
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

function endOf(text: string, terminator: string, from: number): number {
  const end = text.indexOf(terminator, from);
  return end === -1 ? text.length : end + terminator.length;
}

/** `<!DOCTYPE name [internal subset]>`: the subset may contain ">" inside declarations. */
function endOfDoctype(text: string, start: number): number {
  const bracket = text.indexOf('[', start);
  const close = text.indexOf('>', start);
  if (close === -1) return text.length;
  if (bracket === -1 || bracket > close) return close + 1;
  const subsetEnd = text.indexOf(']', bracket);
  return subsetEnd === -1 ? text.length : endOf(text, '>', subsetEnd);
}

function notMarkup(text: string, pos: number): FeedError {
  const first = text.charAt(pos);
  if (first === '{' || first === '[') {
    const isJsonFeed = /"version"\s*:\s*"https?:\/\/jsonfeed\.org\/version\//.test(text.slice(pos, pos + 4096));
    return new FeedError(
      'not_a_feed',
      isJsonFeed ? 'the document is a JSON Feed, which is not supported (RSS and Atom only)' : 'the document is JSON, not an RSS or Atom feed',
    );
  }
  const preview = text.slice(pos, pos + 40).replace(/\s+/g, ' ');
  return new FeedError('not_a_feed', `the document is not XML: it starts with "${preview}"`);
}

function classifyRoot(text: string, root: RootElement, namespaces: NamespaceMap): Classification {
  const colon = root.name.indexOf(':');
  const local = colon === -1 ? root.name : root.name.slice(colon + 1);
  const prefix = colon === -1 ? '' : root.name.slice(0, colon);
  const namespace = prefix === '' ? defaultNamespaceOf(root.attributes) : namespaces.get(prefix) ?? null;
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

/** The not_a_feed message for an HTML page advertising these feed links. */
export function describeHtmlPage(alternates: string[]): string {
  return alternates.length > 0
    ? `the document is an HTML page, not a feed; it links to these feeds: ${alternates.join(', ')}`
    : 'the document is an HTML page, not a feed, and it links to no feed (no <link rel="alternate"> with a feed type)';
}

function attributeOf(attributes: string, name: string): string | null {
  const pattern = new RegExp(`(?:^|\\s)${name.replace(/[.:]/g, '\\$&')}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`);
  const match = pattern.exec(attributes);
  return match === null ? null : (match[1] ?? match[2] ?? null);
}

function defaultNamespaceOf(attributes: string): string | null {
  return attributeOf(attributes, 'xmlns');
}

// ---------------------------------------------------------------------------------------------
// HTML pages: advertised feeds

/** Feed media types; plain application/json is left out (WordPress advertises its REST API with it). */
const FEED_LINK_TYPES: ReadonlySet<string> = new Set(['application/rss+xml', 'application/atom+xml', 'application/feed+json', 'application/rdf+xml']);

/**
 * Absolute http(s) URLs of the feeds an HTML page advertises with
 * `<link rel="alternate" type="application/rss+xml|atom+xml|feed+json" href>` (HTML §4.6.7.1),
 * resolved against `baseUrl`, unique, in document order.
 */
export function findAlternateLinks(html: string, baseUrl: string): string[] {
  return resolveAlternateHrefs(findAlternateHrefs(html), baseUrl);
}

/** Feed link hrefs as written → unique absolute http(s) URLs (unusable ones dropped). */
export function resolveAlternateHrefs(hrefs: string[], baseUrl: string): string[] {
  const resolved: string[] = [];
  for (const href of hrefs) {
    try {
      const url = new URL(href, baseUrl);
      if ((url.protocol === 'http:' || url.protocol === 'https:') && !resolved.includes(url.href)) resolved.push(url.href);
    } catch {
      // an href that is not a URL even relative to the page: skip it
    }
  }
  return resolved;
}

/** The hrefs as written (entity-decoded), unique, at most 20. */
function findAlternateHrefs(html: string): string[] {
  const hrefs: string[] = [];
  const linkTag = /<link\b([^<>]{0,2000})>/gi;
  for (let match = linkTag.exec(html); match !== null && hrefs.length < 20; match = linkTag.exec(html)) {
    const attributes = parseHtmlAttributes(match[1]!);
    const rel = (attributes.get('rel') ?? '').toLowerCase().split(/\s+/);
    const type = (attributes.get('type') ?? '').toLowerCase().split(';')[0]!.trim();
    const href = decodeHtmlEntities(attributes.get('href') ?? '').trim();
    if (rel.includes('alternate') && FEED_LINK_TYPES.has(type) && href !== '' && !hrefs.includes(href)) hrefs.push(href);
  }
  return hrefs;
}

function parseHtmlAttributes(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const attribute = /([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g;
  for (let match = attribute.exec(text); match !== null; match = attribute.exec(text)) {
    const name = match[1]!.toLowerCase();
    if (!attributes.has(name)) attributes.set(name, match[2] ?? match[3] ?? match[4] ?? '');
  }
  return attributes;
}

// ---------------------------------------------------------------------------------------------
// Namespaces: read elements by namespace, not by the prefix a feed happens to use

/** prefix → namespace URI, from every `xmlns:prefix="uri"` in the document (first binding wins). */
type NamespaceMap = Map<string, string>;

/** The prefixes rss-parser and buildParsedFeed expect, per namespace. '' = unprefixed (the feed vocabulary itself). */
const CANONICAL_PREFIXES: Readonly<Record<string, string>> = {
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://search.yahoo.com/mrss/': 'media',
  'http://search.yahoo.com/mrss': 'media',
  [RDF_NS]: 'rdf',
  'http://www.w3.org/1999/xhtml': 'xhtml',
  'http://www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
  'http://purl.org/rss/1.0/': '',
  [RSS090_NS]: '',
  'http://backend.userland.com/rss2': '',
  'http://blogs.law.harvard.edu/tech/rss': '',
};

function collectNamespaceDeclarations(text: string): NamespaceMap {
  const namespaces: NamespaceMap = new Map();
  const declaration = /xmlns:([A-Za-z_][\w.-]{0,63})\s*=\s*(?:"([^"<]{0,1000})"|'([^'<]{0,1000})')/g;
  for (let match = declaration.exec(text); match !== null; match = declaration.exec(text)) {
    if (!namespaces.has(match[1]!)) namespaces.set(match[1]!, (match[2] ?? match[3]!).trim());
  }
  return namespaces;
}

/** prefix → the prefix our readers expect ('' to drop it), only where the two differ. */
function prefixRenames(namespaces: NamespaceMap, kind: FeedKind): Map<string, string> {
  const renames = new Map<string, string>();
  for (const [prefix, uri] of namespaces) {
    const isAtom = uri === ATOM_NS || uri === ATOM03_NS;
    const canonical = isAtom ? (kind === 'atom' ? '' : 'atom') : CANONICAL_PREFIXES[uri];
    if (canonical !== undefined && canonical !== prefix) renames.set(prefix, canonical);
  }
  return renames;
}

/** Elements rss-parser would interpret itself, and unsafely (see the module comment). */
const SHIELDED_ELEMENTS: Readonly<Record<string, string>> = {
  published: 'tidings:published',
  updated: 'tidings:updated',
  link: 'tidings:link',
};

function elementNameProcessor(renames: Map<string, string>): (name: string) => string {
  return (name) => {
    const colon = name.indexOf(':');
    let canonical = name;
    if (colon !== -1) {
      const renamed = renames.get(name.slice(0, colon));
      if (renamed !== undefined) canonical = renamed === '' ? name.slice(colon + 1) : `${renamed}:${name.slice(colon + 1)}`;
    }
    return SHIELDED_ELEMENTS[canonical] ?? canonical;
  };
}

function attributeNameProcessor(renames: Map<string, string>): (name: string) => string {
  return (name) => {
    const colon = name.indexOf(':');
    if (colon === -1) return name;
    const renamed = renames.get(name.slice(0, colon));
    if (renamed === undefined || renamed === '') return name;
    return `${renamed}:${name.slice(colon + 1)}`;
  };
}

// ---------------------------------------------------------------------------------------------
// The pre-pass: what lenient readers accept, made acceptable to a strict XML parser

function prepareForXmlParser(text: string, root: RootElement, namespaces: NamespaceMap): string {
  const declared = collectInternalEntities(text.slice(0, root.start));
  const withChannel = supplyMissingChannel(text, root);
  const withEntities = repairEntityReferences(withChannel, declared);
  const withMarkupAsText = wrapInlineMarkupInCdata(withEntities, namespaces);
  return closeTruncatedFinalTag(withMarkupAsText);
}

/**
 * rss-parser dereferences `rss.channel[0]` / `rdf:RDF.channel[0]` unchecked, so a channel is
 * supplied where a document has none: an `<rss>` whose items sit directly under the root (seen
 * in the wild) gets them wrapped in a channel; an RSS 1.0/0.90 document (items are siblings of
 * the channel there) gets an empty one; `<rss/>` becomes an empty channel.
 */
function supplyMissingChannel(text: string, root: RootElement): string {
  if (/<(?:[A-Za-z_][\w.-]*:)?channel[\s/>]/.test(text)) return text;
  const isRss = /(?:^|:)rss$/.test(root.name);
  if (!isRss && !/(?:^|:)RDF$/.test(root.name)) return text;
  const startTagEnd = text.indexOf('>', root.start);
  if (startTagEnd === -1) return text;
  if (text.charCodeAt(startTagEnd - 1) === 0x2f /* <rss/> */) {
    return `${text.slice(0, startTagEnd - 1)}><channel></channel></${root.name}>${text.slice(startTagEnd + 1)}`;
  }
  const afterStartTag = startTagEnd + 1;
  if (!isRss) return `${text.slice(0, afterStartTag)}<channel></channel>${text.slice(afterStartTag)}`;
  const endTag = text.lastIndexOf(`</${root.name}`);
  const end = endTag > startTagEnd ? endTag : text.length;
  return `${text.slice(0, afterStartTag)}<channel>${text.slice(afterStartTag, end)}</channel>${text.slice(end)}`;
}

/**
 * General entities declared in the internal DTD subset (XML 1.0 §4.2) whose value is plain text.
 * sax does not expand DTD entities, so the pre-pass substitutes these. Values with markup or
 * references are not expanded (no recursion, so no "billion laughs").
 */
function collectInternalEntities(prolog: string): Map<string, string> {
  const entities = new Map<string, string>();
  if (!prolog.includes('<!ENTITY')) return entities;
  const declaration = /<!ENTITY\s+([A-Za-z_][\w.-]{0,63})\s+(?:"([^"]{0,1000})"|'([^']{0,1000})')\s*>/g;
  for (let match = declaration.exec(prolog); match !== null && entities.size < 100; match = declaration.exec(prolog)) {
    const value = match[2] ?? match[3]!;
    // Quotes are escaped so a substitution inside an attribute value cannot end it early.
    if (!value.includes('&') && !value.includes('<') && !entities.has(match[1]!)) entities.set(match[1]!, value.replace(/"/g, '&quot;').replace(/'/g, '&apos;'));
  }
  return entities;
}

/** At most this many characters are added by substituting declared entities (defeats quadratic blow-up). */
const ENTITY_EXPANSION_BUDGET = 1_000_000;

const REFERENCE_AFTER_AMPERSAND = /#([0-9]{1,7});|#[xX]([0-9a-fA-F]{1,6});|([A-Za-z_][\w.-]{0,63});/y;

/**
 * Outside CDATA sections and comments, rewrites every `&` a strict parser would reject:
 * a bare `&` becomes `&amp;`; a named reference that is neither XML's, HTML 4's (which sax
 * resolves) nor declared in the DTD becomes literal text; a numeric reference to a character
 * XML forbids (XML 1.0 §2.2, §4.1 WFC: Legal Character) is dropped when it is a C0 control (as
 * decode drops raw ones) and becomes U+FFFD otherwise. One pass, copy on write.
 */
function repairEntityReferences(text: string, declared: Map<string, string>): string {
  if (!text.includes('&')) return text;
  const parts: string[] = [];
  let copiedUpTo = 0;
  let budget = ENTITY_EXPANSION_BUDGET;
  // One global regex drives the scan: V8 has been measured (Node 20) to turn an optimized
  // indexOf loop over a large two-byte string quadratic, 50 s for 5 MB; the regex stays linear.
  const scanner = /&|<!\[CDATA\[|<!--/g;
  for (let found = scanner.exec(text); found !== null; found = scanner.exec(text)) {
    const at = found.index;
    if (found[0] !== '&') {
      scanner.lastIndex = endOfOpaqueSection(text, at);
      continue;
    }
    REFERENCE_AFTER_AMPERSAND.lastIndex = at + 1;
    const match = REFERENCE_AFTER_AMPERSAND.exec(text);
    const end = match === null ? at + 1 : at + 1 + match[0].length;
    scanner.lastIndex = end;
    let replacement: string | null;
    if (match === null) {
      replacement = '&amp;';
    } else if (match[3] !== undefined) {
      const value = declared.get(match[3]);
      if (value !== undefined && budget >= value.length) {
        budget -= value.length;
        replacement = value;
      } else {
        replacement = isKnownEntity(match[3]) ? null : `&amp;${match[3]};`;
      }
    } else {
      const codePoint = match[1] !== undefined ? Number.parseInt(match[1], 10) : Number.parseInt(match[2]!, 16);
      replacement = isXmlChar(codePoint) ? null : codePoint < 0x20 ? '' : '&#xFFFD;';
    }
    if (replacement !== null) {
      parts.push(text.slice(copiedUpTo, at), replacement);
      copiedUpTo = end;
    }
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(copiedUpTo));
  return parts.join('');
}

/** Names sax resolves without a DTD: XML's five and HTML 4's. */
function isKnownEntity(name: string): boolean {
  return XML_PREDEFINED_ENTITIES.has(name) || NAMED_ENTITIES.has(name);
}

/** The end of the CDATA section or comment starting at `at`. */
function endOfOpaqueSection(text: string, at: number): number {
  if (text.startsWith('<![CDATA[', at)) return endOf(text, ']]>', at + 9);
  return endOf(text, '-->', at + 4);
}

/** XML 1.0 §2.2 Char. */
function isXmlChar(codePoint: number): boolean {
  if (codePoint < 0x20) return codePoint === 0x09 || codePoint === 0x0a || codePoint === 0x0d;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return false;
  return codePoint !== 0xfffe && codePoint !== 0xffff && codePoint <= 0x10ffff;
}

/** Text constructs whose child elements are markup to keep as HTML, in the feed vocabularies (Atom, RSS, content, xhtml). */
const TEXT_CONSTRUCT_START =
  /<((?:[A-Za-z_][\w.-]{0,63}:)?(?:title|subtitle|tagline|summary|content|description|encoded|body|info|rights|copyright))(?=[\s/>])/.source;
const MARKUP_NAMESPACES: ReadonlySet<string | undefined> = new Set(['', 'atom', 'content', 'xhtml']);

/**
 * Atom `type="xhtml"` content (RFC 4287 §3.1.1.3), Atom 0.3 `mode="xml"` and naked markup in
 * RSS descriptions arrive as child elements. xml2js would group them by name and lose their
 * order, so the element's inner XML is wrapped in a CDATA section (CDATA sections inside it
 * become escaped text) and the element is marked type="xhtml" when it has no type.
 */
function wrapInlineMarkupInCdata(text: string, namespaces: NamespaceMap): string {
  const parts: string[] = [];
  let copiedUpTo = 0;
  const unclosed = new Set<string>();
  const starts = new RegExp(TEXT_CONSTRUCT_START, 'g');
  for (let match = starts.exec(text); match !== null; match = starts.exec(text)) {
    if (match.index < copiedUpTo) continue;
    const name = match[1]!;
    if (unclosed.has(name) || !isMarkupVocabulary(name, namespaces)) continue;
    const startTagEnd = text.indexOf('>', match.index + name.length + 1);
    if (startTagEnd === -1) break;
    if (text.charCodeAt(startTagEnd - 1) === 0x2f /* / */) continue;
    const endTag = findMatchingEndTag(text, name, startTagEnd + 1);
    if (endTag === -1) {
      unclosed.add(name);
      continue;
    }
    const inner = text.slice(startTagEnd + 1, endTag);
    if (!hasChildElements(inner)) continue;
    const attributes = text.slice(match.index + 1 + name.length, startTagEnd);
    const typed = /(?:^|\s)type\s*=/.test(attributes) ? attributes : `${attributes} type="xhtml"`;
    parts.push(text.slice(copiedUpTo, match.index), `<${name}${typed}><![CDATA[`, innerXmlAsCdataText(inner), ']]>');
    copiedUpTo = endTag;
    starts.lastIndex = endTag;
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(copiedUpTo));
  return parts.join('');
}

function isMarkupVocabulary(name: string, namespaces: NamespaceMap): boolean {
  const colon = name.indexOf(':');
  if (colon === -1) return true;
  const uri = namespaces.get(name.slice(0, colon));
  if (uri === undefined) return false;
  if (uri === ATOM_NS || uri === ATOM03_NS) return true;
  return MARKUP_NAMESPACES.has(CANONICAL_PREFIXES[uri]);
}

/** Offset of the `</name>` closing the element whose content starts at `from`, counting nested same-name elements. */
function findMatchingEndTag(text: string, name: string, from: number): number {
  let depth = 1;
  let pos = from;
  for (;;) {
    const close = findTag(text, `</${name}`, pos);
    if (close === -1) return -1;
    const open = findTag(text, `<${name}`, pos);
    if (open !== -1 && open < close) {
      const openEnd = text.indexOf('>', open);
      if (openEnd !== -1 && text.charCodeAt(openEnd - 1) !== 0x2f) depth++;
      pos = open + name.length + 1;
      continue;
    }
    depth--;
    if (depth === 0) return close;
    pos = close + name.length + 2;
  }
}

/** indexOf for a tag opener, requiring a name boundary after it. */
function findTag(text: string, opener: string, from: number): number {
  for (let at = text.indexOf(opener, from); at !== -1; at = text.indexOf(opener, at + 1)) {
    const next = text.charCodeAt(at + opener.length);
    if (next === 0x3e || next === 0x2f || next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d) return at;
  }
  return -1;
}

function hasChildElements(inner: string): boolean {
  for (let lt = inner.indexOf('<'); lt !== -1; lt = inner.indexOf('<', lt + 1)) {
    if (inner.startsWith('<![CDATA[', lt)) {
      lt = inner.indexOf(']]>', lt);
      if (lt === -1) return false;
    } else if (inner.startsWith('<!--', lt)) {
      lt = inner.indexOf('-->', lt);
      if (lt === -1) return false;
    } else if (/[A-Za-z_]/.test(inner.charAt(lt + 1))) {
      return true;
    }
  }
  return false;
}

/** Inner XML as CDATA text: nested CDATA sections become escaped text, and "]]>" cannot end the section early. */
function innerXmlAsCdataText(inner: string): string {
  const [before, ...sections] = inner.split('<![CDATA[');
  const pieces = [before!];
  for (const section of sections) {
    const end = section.indexOf(']]>');
    const cdata = end === -1 ? section : section.slice(0, end);
    pieces.push(cdata.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), end === -1 ? '' : section.slice(end + 3));
  }
  return pieces.join('').replace(/\]\]>/g, ']]]]><![CDATA[>');
}

/** A document cut off inside its last end tag (`…</rss` without ">") is closed. */
function closeTruncatedFinalTag(text: string): string {
  const tail = text.slice(-200);
  return /<\/[A-Za-z_][\w:.-]*\s*$/.test(tail) ? `${text.trimEnd()}>` : text;
}

// ---------------------------------------------------------------------------------------------
// Recovery for documents that are not well-formed

/**
 * One linear pass over the tags: end tags that close nothing open are dropped, an end tag that
 * closes an outer element closes the inner ones first, a construct cut off at the end of the
 * document is removed, and elements still open at the end are closed. Returns the input
 * unchanged when the tag structure was already balanced.
 */
function repairElementStructure(text: string): string {
  const parts: string[] = [];
  const open = new OpenElements();
  let copiedUpTo = 0;
  let changed = false;
  let pos = 0;
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    if (lt === -1) break;
    const token = readToken(text, lt);
    if (token === null) {
      // cut off mid-construct: drop the fragment
      parts.push(text.slice(copiedUpTo, lt));
      copiedUpTo = text.length;
      changed = true;
      break;
    }
    if (token.kind === 'stray') {
      parts.push(text.slice(copiedUpTo, lt), '&lt;');
      copiedUpTo = lt + 1;
      changed = true;
    }
    if (token.kind === 'start') open.push(token.name);
    if (token.kind === 'end') {
      if (!open.contains(token.name)) {
        parts.push(text.slice(copiedUpTo, lt));
        copiedUpTo = token.end;
        changed = true;
      } else {
        const innerOnes = open.popThrough(token.name);
        if (innerOnes.length > 0) {
          parts.push(text.slice(copiedUpTo, lt), closingTags(innerOnes));
          copiedUpTo = lt;
          changed = true;
        }
      }
    }
    pos = token.end;
  }
  if (!changed && open.size === 0) return text;
  parts.push(text.slice(copiedUpTo), closingTags(open.popAll()));
  return parts.join('');
}

/** The stack of open elements, with per-name counts so "is it open at all?" is O(1) even when deep. */
class OpenElements {
  private readonly stack: string[] = [];
  private readonly counts = new Map<string, number>();

  get size(): number {
    return this.stack.length;
  }

  push(name: string): void {
    this.stack.push(name);
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  contains(name: string): boolean {
    return (this.counts.get(name) ?? 0) > 0;
  }

  /** Pops up to and including the innermost `name`; returns the elements above it, outermost first. */
  popThrough(name: string): string[] {
    const above: string[] = [];
    for (let top = this.pop(); top !== undefined && top !== name; top = this.pop()) above.push(top);
    return above.reverse();
  }

  /** Pops everything; outermost first. */
  popAll(): string[] {
    const all = [...this.stack];
    while (this.pop() !== undefined);
    return all;
  }

  private pop(): string | undefined {
    const top = this.stack.pop();
    if (top !== undefined) this.counts.set(top, this.counts.get(top)! - 1);
    return top;
  }
}

function closingTags(names: string[]): string {
  let tags = '';
  for (let i = names.length - 1; i >= 0; i--) tags += `</${names[i]}>`;
  return tags;
}

interface Token {
  /** 'stray': a "<" that starts no markup (text to escape). */
  kind: 'start' | 'end' | 'other' | 'stray';
  name: string;
  /** Offset just past the token. */
  end: number;
}

/** Reads the markup token at `lt`; null when the document ends inside it. */
function readToken(text: string, lt: number): Token | null {
  const sections: Array<[string, string]> = [['<!--', '-->'], ['<![CDATA[', ']]>'], ['<?', '?>']];
  for (const [opener, terminator] of sections) {
    if (text.startsWith(opener, lt)) {
      const end = text.indexOf(terminator, lt + opener.length);
      return end === -1 ? null : { kind: 'other', name: '', end: end + terminator.length };
    }
  }
  if (text.startsWith('<!', lt)) {
    const end = endOfDoctype(text, lt);
    return end >= text.length && !text.endsWith('>') ? null : { kind: 'other', name: '', end };
  }
  const isEnd = text.charCodeAt(lt + 1) === 0x2f;
  const name = /[A-Za-z_][\w:.-]*/y;
  name.lastIndex = lt + (isEnd ? 2 : 1);
  const found = name.exec(text);
  if (found === null) return { kind: 'stray', name: '', end: lt + 1 };
  // A ">" inside an attribute value ends the tag early here; harmless for finding the structure.
  const close = text.indexOf('>', name.lastIndex);
  if (close === -1) return null;
  if (isEnd) return { kind: 'end', name: found[0], end: close + 1 };
  const selfClosing = text.charCodeAt(close - 1) === 0x2f;
  return { kind: selfClosing ? 'other' : 'start', name: found[0], end: close + 1 };
}

// ---------------------------------------------------------------------------------------------
// Running rss-parser

/** What rss-parser returns with our custom fields: every raw field under `raw:<element>`. */
type RawRecord = Record<string, unknown>;
interface RawFeed extends RawRecord {
  items: RawRecord[];
}

const RAW = 'raw:';

const FEED_FIELDS = [
  '$', 'title', 'subtitle', 'tagline', 'description', 'tidings:link', 'atom:link', 'ttl',
  'managingEditor', 'dc:creator', 'author',
];

const ITEM_FIELDS = [
  '$', 'title', 'tidings:link', 'atom:link', 'guid', 'id', 'description', 'summary', 'content', 'content:encoded',
  'xhtml:body', 'body', 'pubDate', 'tidings:published', 'issued', 'dc:date', 'dcterms:issued', 'atom:published',
  'tidings:updated', 'modified', 'dcterms:modified', 'atom:updated',
  'dc:creator', 'author', 'category', 'dc:subject', 'enclosure', 'media:content', 'media:group',
];

/** [element, `raw:element`, keepArray]: rss-parser copies the raw xml2js array (utils.copyFromXML). */
function rawFields(names: string[]): Array<[string, string, { keepArray: true }]> {
  return names.map((name) => [name, RAW + name, { keepArray: true }]);
}

function runRssParser(text: string, namespaces: NamespaceMap, kind: FeedKind): Promise<RawFeed> {
  const renames = prefixRenames(namespaces, kind);
  const options = {
    defaultRSS: 2, // <rss> without version (docs/architecture.md)
    customFields: { feed: rawFields(FEED_FIELDS), item: rawFields(ITEM_FIELDS) },
    xml2js: {
      tagNameProcessors: [elementNameProcessor(renames)],
      ...(renames.size > 0 ? { attrNameProcessors: [attributeNameProcessor(renames)] } : {}),
    },
  };
  // The typings only allow plain names in customFields.feed; the runtime takes [from, to, options] there too.
  const parser = new Parser<RawFeed, RawRecord>(options as unknown as Parser.ParserOptions<RawFeed, RawRecord>);
  const parsing = parser.parseString(text) as unknown as Promise<RawFeed>;
  // xml2js is synchronous, so the promise is settled before parseString returns; if it is not
  // (an error path that neither resolves nor rejects), fail instead of waiting forever.
  const stalled = new Promise<never>((_resolve, reject) =>
    setImmediate(() => reject(new FeedError('malformed_xml', 'the XML parser stopped without a result'))),
  );
  return Promise.race([parsing, stalled]);
}

/** sax reports well-formedness errors as "message\nLine: n\nColumn: n\nChar: c" (0-based line). */
function isXmlSyntaxError(error: unknown): boolean {
  return error instanceof Error && /\nLine: \d+\nColumn: \d+/.test(error.message);
}

function asMalformed(error: unknown): FeedError {
  if (error instanceof FeedError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const position = /^([^\n]*)\nLine: (\d+)\nColumn: (\d+)/.exec(message);
  if (position !== null) {
    const line = Number(position[2]) + 1;
    return new FeedError('malformed_xml', `not well-formed XML: ${position[1]} (near line ${line}, column ${position[3]})`, { cause: error });
  }
  if (message === 'Unable to parse XML.') return new FeedError('not_a_feed', 'the document is empty: no root element', { cause: error });
  return new FeedError('malformed_xml', `the feed could not be read: ${message.split('\n')[0]}`, { cause: error });
}

// ---------------------------------------------------------------------------------------------
// From xml2js values to ParsedFeed

interface XmlElement {
  _?: unknown;
  $?: Record<string, unknown>;
  [child: string]: unknown;
}

function buildParsedFeed(raw: RawFeed, classification: Classification, root: RootElement): ParsedFeed {
  const { kind, format } = classification;
  const rootBase = attributeOf(root.attributes, 'xml:base');
  const channelBase = kind === 'rss' ? ownAttribute(raw[`${RAW}$`], 'xml:base') : null;
  const bases = [rootBase, channelBase].filter((base): base is string => base !== null);
  const textType = kind === 'atom' ? atomText : rssText;
  return {
    kind,
    format,
    bases,
    title: textType(fieldValues(raw, 'title')),
    description: kind === 'atom' ? atomText([...fieldValues(raw, 'subtitle'), ...fieldValues(raw, 'tagline')]) : rssText(fieldValues(raw, 'description')),
    links: readLinks(raw),
    authors: kind === 'atom' ? atomAuthors(fieldValues(raw, 'author')) : textsOf([...fieldValues(raw, 'managingEditor'), ...fieldValues(raw, 'dc:creator')]),
    ttl: first(textsOf(fieldValues(raw, 'ttl'))) ?? null,
    items: (Array.isArray(raw.items) ? raw.items : []).map((item) => (kind === 'atom' ? buildAtomEntry(item) : buildRssItem(item))),
  };
}

function buildRssItem(raw: RawRecord): ParsedItem {
  const guid = first(fieldValues(raw, 'guid'));
  const permaLink = guid === undefined ? null : attributeString(guid, 'isPermaLink');
  const attributes = raw[`${RAW}$`];
  return {
    base: ownAttribute(attributes, 'xml:base'),
    id: guid === undefined ? null : textOf(guid),
    guidIsPermaLink: permaLink === null ? null : permaLink.trim().toLowerCase() !== 'false',
    about: ownAttribute(attributes, 'rdf:about'),
    links: readLinks(raw),
    title: rssText(fieldValues(raw, 'title')),
    description: rssText(fieldValues(raw, 'description')),
    content: rssText([...fieldValues(raw, 'content:encoded'), ...fieldValues(raw, 'xhtml:body'), ...fieldValues(raw, 'body')]),
    published: textsOf(['pubDate', 'dc:date', 'dcterms:issued', 'tidings:published', 'atom:published'].flatMap((name) => fieldValues(raw, name))),
    updated: textsOf(['dcterms:modified', 'atom:updated', 'tidings:updated'].flatMap((name) => fieldValues(raw, name))),
    authors: textsOf([...fieldValues(raw, 'dc:creator'), ...fieldValues(raw, 'author')]),
    categories: [...fieldValues(raw, 'category'), ...fieldValues(raw, 'dc:subject')],
    enclosures: readEnclosures(raw),
  };
}

function buildAtomEntry(raw: RawRecord): ParsedItem {
  const attributes = raw[`${RAW}$`];
  const id = first(fieldValues(raw, 'id'));
  return {
    base: ownAttribute(attributes, 'xml:base'),
    id: id === undefined ? null : textOf(id),
    guidIsPermaLink: null,
    about: null,
    links: readLinks(raw),
    title: atomText(fieldValues(raw, 'title')),
    description: atomText(fieldValues(raw, 'summary')),
    content: atomText(fieldValues(raw, 'content')),
    published: textsOf(['tidings:published', 'issued'].flatMap((name) => fieldValues(raw, name))),
    updated: textsOf(['tidings:updated', 'modified'].flatMap((name) => fieldValues(raw, name))),
    authors: [...atomAuthors(fieldValues(raw, 'author')), ...textsOf(fieldValues(raw, 'dc:creator'))],
    categories: [...fieldValues(raw, 'category'), ...fieldValues(raw, 'dc:subject')],
    enclosures: readEnclosures(raw),
  };
}

/** The raw xml2js array rss-parser copied for an element (empty when absent). */
function fieldValues(raw: RawRecord, element: string): unknown[] {
  const value = raw[RAW + element];
  return Array.isArray(value) ? value : [];
}

function first<T>(values: T[]): T | undefined {
  return values[0];
}

function isElement(value: unknown): value is XmlElement {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text content of an xml2js value: a string, or an element's character data (`_`); '' for an empty element. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isElement(value)) return typeof value._ === 'string' ? value._ : descendantText(value, 0);
  return '';
}

/** Last resort for elements whose children were not kept as markup: their text, depth-limited. */
function descendantText(element: XmlElement, depth: number): string {
  if (depth > 20) return '';
  const texts: string[] = [];
  for (const [key, value] of Object.entries(element)) {
    if (key === '$') continue;
    for (const child of Array.isArray(value) ? value : [value]) {
      texts.push(typeof child === 'string' ? child : isElement(child) ? descendantText(child, depth + 1) : '');
    }
  }
  return texts.join(' ');
}

/** Non-empty trimmed texts. */
function textsOf(values: unknown[]): string[] {
  const texts: string[] = [];
  for (const value of values) {
    const text = textOf(value).trim();
    if (text !== '') texts.push(text);
  }
  return texts;
}

/** An attribute of an xml2js element (its `$`). */
function attributeString(value: unknown, name: string): string | null {
  return isElement(value) ? ownAttribute(value.$, name) : null;
}

/** An attribute from an xml2js attribute object (what rss-parser copies for the `$` custom field). */
function ownAttribute(attributes: unknown, name: string): string | null {
  const attribute = isElement(attributes) ? attributes[name] : undefined;
  return typeof attribute === 'string' ? attribute : null;
}

/** RSS text: titles and descriptions are HTML in practice (RSS 2.0: "entity-encoded HTML is allowed"). */
function rssText(values: unknown[]): ParsedText | null {
  for (const value of values) {
    const text = textOf(value);
    if (text.trim() === '') continue;
    const type = attributeString(value, 'type') === 'xhtml' ? 'xhtml' : 'html';
    return { value: type === 'xhtml' ? unwrapXhtmlDiv(text) : text, type, base: attributeString(value, 'xml:base') };
  }
  return null;
}

/**
 * Atom text constructs (RFC 4287 §3.1, §4.1.3): type text/html/xhtml, Atom 0.3's MIME types and
 * mode="base64"; base64 content of other media types (§4.1.3.3 rule 6) is not text and is skipped.
 */
function atomText(values: unknown[]): ParsedText | null {
  for (const value of values) {
    const parsed = atomTextConstruct(value);
    if (parsed !== null && parsed.value.trim() !== '') return parsed;
  }
  return null;
}

function atomTextConstruct(value: unknown): ParsedText | null {
  const declaredType = (attributeString(value, 'type') ?? '').trim().toLowerCase() || 'text';
  const mode = (attributeString(value, 'mode') ?? '').trim().toLowerCase();
  const type = atomTextType(declaredType) ?? (declaredType.startsWith('text/') ? 'text' : null);
  if (type === null) return null; // XML or base64-encoded binary media (RFC 4287 §4.1.3.3), not text
  const written = textOf(value);
  const text = mode === 'base64' ? decodeBase64Text(written) : written;
  return { value: type === 'xhtml' ? unwrapXhtmlDiv(text) : text, type, base: attributeString(value, 'xml:base') };
}

function atomTextType(declaredType: string): ParsedText['type'] | null {
  if (declaredType === 'text' || declaredType === 'text/plain') return 'text';
  if (declaredType === 'html' || declaredType === 'text/html') return 'html';
  if (declaredType === 'xhtml' || declaredType === 'application/xhtml+xml') return 'xhtml';
  return null;
}

function decodeBase64Text(text: string): string {
  return Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
}

/** RFC 4287 §3.1.1.3: the xhtml div wrapper is not part of the content. */
function unwrapXhtmlDiv(markup: string): string {
  const match = /^\s*<(?:[A-Za-z_][\w.-]*:)?div\b[^>]*>([\s\S]*)<\/(?:[A-Za-z_][\w.-]*:)?div>\s*$/.exec(markup);
  return match === null ? markup : match[1]!;
}

function readLinks(raw: RawRecord): ParsedLink[] {
  const links: ParsedLink[] = [];
  for (const value of [...fieldValues(raw, 'tidings:link'), ...fieldValues(raw, 'atom:link')]) {
    const href = attributeString(value, 'href') ?? textOf(value);
    if (href.trim() === '') continue;
    links.push({
      href,
      rel: attributeString(value, 'rel'),
      type: attributeString(value, 'type'),
      length: attributeString(value, 'length'),
      base: attributeString(value, 'xml:base'),
    });
  }
  return links;
}

function readEnclosures(raw: RawRecord): ParsedEnclosure[] {
  const enclosures: ParsedEnclosure[] = [];
  for (const value of fieldValues(raw, 'enclosure')) {
    const url = attributeString(value, 'url');
    if (url !== null && url.trim() !== '') enclosures.push({ url, type: attributeString(value, 'type'), length: attributeString(value, 'length') });
  }
  const groups = fieldValues(raw, 'media:group').filter(isElement);
  const mediaContents = [...fieldValues(raw, 'media:content'), ...groups.flatMap((group) => (Array.isArray(group['media:content']) ? group['media:content'] : []))];
  for (const value of mediaContents) {
    const url = attributeString(value, 'url');
    if (url !== null && url.trim() !== '') enclosures.push({ url, type: attributeString(value, 'type'), length: attributeString(value, 'fileSize') });
  }
  return enclosures;
}

function atomAuthors(values: unknown[]): string[] {
  const names: string[] = [];
  for (const value of values) {
    if (!isElement(value)) {
      const text = textOf(value).trim();
      if (text !== '') names.push(text);
      continue;
    }
    const name = first(textsOf(Array.isArray(value.name) ? value.name : [])) ?? first(textsOf(Array.isArray(value.email) ? value.email : []));
    if (name !== undefined) names.push(name);
  }
  return names;
}
