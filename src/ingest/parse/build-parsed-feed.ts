/**
 * From xml2js values to ParsedFeed: the rss-parser adapter. RSS (0.9x, 1.0, 2.0) items and
 * Atom entries are read field by field from the raw values rss-parser copied.
 */
import type { Classification, RootElement } from './detect-format.ts';
import type { ParsedEnclosure, ParsedFeed, ParsedItem, ParsedLink } from './parsed-feed.ts';
import { RAW, type RawFeed, type RawRecord } from './run-rss-parser.ts';
import { atomText, rssText } from './text-constructs.ts';
import { attributeOf } from './xml-scan.ts';
import { attributeString, fieldValues, first, isElement, ownAttribute, textOf, textsOf } from './xml2js-values.ts';

export function buildParsedFeed(raw: RawFeed, classification: Classification, root: RootElement): ParsedFeed {
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
  const mediaContents = [
    ...fieldValues(raw, 'media:content'),
    ...groups.flatMap((group) => (Array.isArray(group['media:content']) ? group['media:content'] : [])),
  ];
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
