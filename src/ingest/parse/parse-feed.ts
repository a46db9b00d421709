/**
 * parse: decoded text → the raw reading of an RSS, Atom or JSON Feed document (ParsedFeed).
 *
 * A document that starts like JSON (`{` or `[`) is read by the JSON Feed reader (json-feed.ts;
 * `malformed_json` or `not_a_feed` when it cannot be), whatever its Content-Type: feeds are
 * served as application/feed+json, application/json and text/plain alike.
 *
 * Everything else is XML: rss-parser's `parseString` (a new Parser per call,
 * docs/architecture.md) does the XML work. Around it:
 *  1. classification before parsing: HTML pages, other XML vocabularies and text are
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
 * Every failure is a FeedError: `malformed_xml` / `malformed_json` (with line/column) or `not_a_feed`.
 *
 * The steps live beside this file: 1 in detect-format.ts (and html-feed-links.ts), 2 in
 * prepare-xml.ts, 3 in namespaces.ts, 4 in repair-structure.ts; running rss-parser in
 * run-rss-parser.ts, and reading its output into ParsedFeed in build-parsed-feed.ts.
 */
import { FeedError } from '../../errors.ts';
import { buildParsedFeed } from './build-parsed-feed.ts';
import { classifyRoot, findRootElement } from './detect-format.ts';
import { looksLikeJson } from './json-document.ts';
import { readJsonFeed } from './json-feed.ts';
import { collectNamespaceDeclarations, type NamespaceMap } from './namespaces.ts';
import type { FeedKind, ParsedFeed } from './parsed-feed.ts';
import { prepareForXmlParser } from './prepare-xml.ts';
import { repairElementStructure } from './repair-structure.ts';
import { asMalformed, isXmlSyntaxError, runRssParser, type RawFeed } from './run-rss-parser.ts';

export async function parseFeed(text: string): Promise<ParsedFeed> {
  try {
    if (looksLikeJson(text)) return readJsonFeed(text);
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
