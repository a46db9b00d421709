/**
 * Namespaces: read elements by namespace, not by the prefix a feed happens to use
 * (rss-parser matches literal prefixes).
 */
import type { FeedKind } from './parsed-feed.ts';

export const ATOM_NS = 'http://www.w3.org/2005/Atom';
export const ATOM03_NS = 'http://purl.org/atom/ns#';
export const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
export const RSS090_NS = 'http://my.netscape.com/rdf/simple/0.9/';

/** prefix → namespace URI, from every `xmlns:prefix="uri"` in the document (first binding wins). */
export type NamespaceMap = Map<string, string>;

/** The prefixes rss-parser and buildParsedFeed expect, per namespace. '' = unprefixed (the feed vocabulary itself). */
export const CANONICAL_PREFIXES: Readonly<Record<string, string>> = {
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

export function collectNamespaceDeclarations(text: string): NamespaceMap {
  const namespaces: NamespaceMap = new Map();
  const declaration = /xmlns:([A-Za-z_][\w.-]{0,63})\s*=\s*(?:"([^"<]{0,1000})"|'([^'<]{0,1000})')/g;
  for (let match = declaration.exec(text); match !== null; match = declaration.exec(text)) {
    if (!namespaces.has(match[1]!)) namespaces.set(match[1]!, (match[2] ?? match[3]!).trim());
  }
  return namespaces;
}

/** prefix → the prefix our readers expect ('' to drop it), only where the two differ. */
export function prefixRenames(namespaces: NamespaceMap, kind: FeedKind): Map<string, string> {
  const renames = new Map<string, string>();
  for (const [prefix, uri] of namespaces) {
    const isAtom = uri === ATOM_NS || uri === ATOM03_NS;
    const canonical = isAtom ? (kind === 'atom' ? '' : 'atom') : CANONICAL_PREFIXES[uri];
    if (canonical !== undefined && canonical !== prefix) renames.set(prefix, canonical);
  }
  return renames;
}

/** Elements rss-parser would interpret itself, and unsafely (see the module comment of parse-feed.ts). */
const SHIELDED_ELEMENTS: Readonly<Record<string, string>> = {
  published: 'tidings:published',
  updated: 'tidings:updated',
  link: 'tidings:link',
};

export function elementNameProcessor(renames: Map<string, string>): (name: string) => string {
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

export function attributeNameProcessor(renames: Map<string, string>): (name: string) => string {
  return (name) => {
    const colon = name.indexOf(':');
    if (colon === -1) return name;
    const renamed = renames.get(name.slice(0, colon));
    if (renamed === undefined || renamed === '') return name;
    return `${renamed}:${name.slice(colon + 1)}`;
  };
}
