/**
 * Running rss-parser: a new Parser per call (docs/architecture.md), every field we read requested raw, and
 * the parser's errors turned into FeedErrors.
 */
import Parser from 'rss-parser';
import { FeedError } from '../../errors.ts';
import { attributeNameProcessor, elementNameProcessor, prefixRenames, type NamespaceMap } from './namespaces.ts';
import type { FeedKind } from './parsed-feed.ts';

/** What rss-parser returns with our custom fields: every raw field under `raw:<element>`. */
export type RawRecord = Record<string, unknown>;
export interface RawFeed extends RawRecord {
  items: RawRecord[];
}

export const RAW = 'raw:';

const FEED_FIELDS = ['$', 'title', 'subtitle', 'tagline', 'description', 'tidings:link', 'atom:link', 'ttl', 'managingEditor', 'dc:creator', 'author'];

const ITEM_FIELDS = [
  '$',
  'title',
  'tidings:link',
  'atom:link',
  'guid',
  'id',
  'description',
  'summary',
  'content',
  'content:encoded',
  'xhtml:body',
  'body',
  'pubDate',
  'tidings:published',
  'issued',
  'dc:date',
  'dcterms:issued',
  'atom:published',
  'tidings:updated',
  'modified',
  'dcterms:modified',
  'atom:updated',
  'dc:creator',
  'author',
  'category',
  'dc:subject',
  'enclosure',
  'media:content',
  'media:group',
];

/** [element, `raw:element`, keepArray]: rss-parser copies the raw xml2js array (utils.copyFromXML). */
function rawFields(names: string[]): Array<[string, string, { keepArray: true }]> {
  return names.map((name) => [name, RAW + name, { keepArray: true }]);
}

export function runRssParser(text: string, namespaces: NamespaceMap, kind: FeedKind): Promise<RawFeed> {
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
export function isXmlSyntaxError(error: unknown): boolean {
  return error instanceof Error && /\nLine: \d+\nColumn: \d+/.test(error.message);
}

export function asMalformed(error: unknown): FeedError {
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
