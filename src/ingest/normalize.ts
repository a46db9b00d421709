/**
 * normalize: ParsedFeed → NormalizedFeed (src/model.ts).
 *
 * - URLs are absolute: resolved against xml:base (XML Base §4.2, nested: root → channel/feed →
 *   entry → element), else the URL the feed was fetched from; only http(s) survive.
 * - Dates are UTC instants parsed from RFC 822/1123/5322 and ISO 8601/RFC 3339 forms; anything
 *   else is null, never a guess.
 * - The item key is the guid/id, else the link, else a hash of title + date: stable across polls.
 * - Titles and summaries are plain text; contentHtml keeps markup (with absolute href/src) for
 *   the renderer to sanitize.
 */
import { createHash } from 'node:crypto';
import type { NormalizedFeed, NormalizedItem, WebSubLinks } from '../model.ts';
import { collapseWhitespace, containsHtmlTag, decodeHtmlEntities, escapeHtml, htmlToPlainText } from '../text/html-text.ts';
import { parseFeedDate } from './feed-dates.ts';
import { capFields, capText, FIELD_CAPS } from './field-caps.ts';
import type { ParsedEnclosure, ParsedFeed, ParsedItem, ParsedLink, ParsedText } from './parse/index.ts';

/** Summaries are cut to about this many characters, on a word boundary, with an ellipsis. */
export const SUMMARY_MAX_LENGTH = 500;

/** `timeZone`: the source's IANA zone, for dates written without one (UTC when null). */
export function normalizeFeed(parsed: ParsedFeed, feedUrl: string, timeZone: string | null = null): NormalizedFeed {
  const feedBase = parsed.bases.reduce(resolveBase, feedUrl);
  const feedAuthor = firstAuthor(parsed.authors);
  const items = parsed.items.map((item) => normalizeItem(item, feedBase, feedAuthor, timeZone));
  return {
    format: parsed.format,
    title: nullIfEmpty(capText(plainText(parsed.title), FIELD_CAPS.title)),
    siteUrl: pickUrl(parsed.links, feedBase),
    description: nullIfEmpty(plainText(parsed.description)),
    ttlMinutes: parseTtl(parsed.ttl),
    websub: webSubLinks(parsed.links, feedBase),
    items: keepOnePerKey(items).map(capFields),
  };
}

function normalizeItem(item: ParsedItem, feedBase: string, feedAuthor: string | null, timeZone: string | null): NormalizedItem {
  const base = resolveBase(feedBase, item.base);
  const url = pickUrl(item.links, base) ?? urlFromIdentifier(item, base);
  const title = plainText(item.title);
  const publishedAt = firstDate(item.published, timeZone);
  const updatedAt = firstDate(item.updated, timeZone);
  return {
    key: itemKey(item, url, title, publishedAt ?? updatedAt),
    url,
    title,
    summary: truncateOnWordBoundary(plainText(item.description) || plainText(item.content), SUMMARY_MAX_LENGTH),
    contentHtml: contentHtml(item, base),
    author: firstAuthor(item.authors) ?? feedAuthor,
    categories: flattenCategories(item.categories),
    publishedAt,
    updatedAt,
    enclosure: pickEnclosure(item, base),
    truncated: [],
  };
}

// ---------------------------------------------------------------------------------------------
// URLs

/** xml:base resolved against its parent base; an unusable or non-http(s) base (e.g. javascript:) is ignored. */
function resolveBase(parent: string, base: string | null): string {
  if (base === null || base.trim() === '') return parent;
  return resolveHttpUrl(base, parent) ?? parent;
}

/** An absolute http(s) URL, or null (javascript:, data:, mailto:, unparseable…). */
function resolveHttpUrl(reference: string, base: string): string | null {
  const trimmed = reference.trim();
  if (trimmed === '') return null;
  try {
    const url = new URL(trimmed, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

const ALTERNATE_RELS: ReadonlySet<string> = new Set(['', 'alternate', 'http://www.iana.org/assignments/relation/alternate']);

/**
 * The link to the page: rel="alternate" or no rel (RFC 4287 §4.2.7.2 default), preferring
 * HTML ones (an entry may also have alternates in other formats), first usable one wins.
 */
function pickUrl(links: ParsedLink[], base: string): string | null {
  const alternates = links.filter((link) => ALTERNATE_RELS.has((link.rel ?? '').trim().toLowerCase()));
  const htmlFirst = [...alternates.filter(isHtmlLink), ...alternates.filter((link) => !isHtmlLink(link))];
  for (const link of htmlFirst) {
    const url = resolveHttpUrl(link.href, resolveBase(base, link.base));
    if (url !== null) return url;
  }
  return null;
}

/**
 * The hubs and self URL the document names: Atom links and RSS atom:link with rel "hub" or
 * "self" (W3C WebSub §4), JSON Feed `hubs` and `feed_url` (read as such links by parse/).
 */
function webSubLinks(links: ParsedLink[], base: string): WebSubLinks {
  const withRel = (rel: string) =>
    links
      .filter((link) => (link.rel ?? '').trim().toLowerCase().split(/\s+/).includes(rel))
      .map((link) => resolveHttpUrl(link.href, resolveBase(base, link.base)))
      .filter((url): url is string => url !== null);
  return { hubs: [...new Set(withRel('hub'))], self: withRel('self')[0] ?? null };
}

function isHtmlLink(link: ParsedLink): boolean {
  const type = (link.type ?? '').trim().toLowerCase();
  return type === '' || type === 'text/html' || type === 'application/xhtml+xml';
}

/**
 * Without a link, an identifier that is an absolute http(s) URL is the page: an RSS guid is a
 * permalink unless isPermaLink="false" (RSS 2.0 <guid>), likewise an Atom id or RSS 1.0 rdf:about.
 */
function urlFromIdentifier(item: ParsedItem, base: string): string | null {
  const candidates = [item.guidIsPermaLink === false ? null : item.id, item.about];
  for (const candidate of candidates) {
    if (candidate !== null && /^\s*https?:\/\//i.test(candidate)) {
      const url = resolveHttpUrl(candidate, base);
      if (url !== null) return url;
    }
  }
  return null;
}

function pickEnclosure(item: ParsedItem, base: string): NormalizedItem['enclosure'] {
  const fromLinks: ParsedEnclosure[] = item.links
    .filter((link) => (link.rel ?? '').trim().toLowerCase() === 'enclosure')
    .map((link) => ({ url: link.href, type: link.type, length: link.length }));
  for (const enclosure of [...item.enclosures, ...fromLinks]) {
    const url = resolveHttpUrl(enclosure.url, base);
    if (url === null) continue;
    const type = enclosure.type?.trim() ?? '';
    return { url, type: type === '' ? null : type, length: parseLength(enclosure.length) };
  }
  return null;
}

function parseLength(length: string | null): number | null {
  const trimmed = length?.trim() ?? '';
  if (!/^\d{1,15}$/.test(trimmed)) return null;
  return Number(trimmed);
}

/** Relative href/src in content resolve against the content's xml:base (the renderer no longer knows it). */
const URL_ATTRIBUTE = /(\s(?:href|src)\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;

function absolutizeHtmlUrls(html: string, base: string): string {
  if (!/\s(?:href|src)\s*=/i.test(html)) return html;
  return html.replace(URL_ATTRIBUTE, (whole, prefix: string, quoted?: string, singleQuoted?: string, bare?: string) => {
    const value = decodeHtmlEntities(quoted ?? singleQuoted ?? bare ?? '').trim();
    const isAbsoluteOrFragment = value === '' || value.startsWith('#') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value);
    if (isAbsoluteOrFragment) return whole;
    try {
      return `${prefix}"${escapeHtml(new URL(value, base).href)}"`;
    } catch {
      return whole;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Text

function plainText(text: ParsedText | null): string {
  if (text === null) return '';
  return text.type === 'text' ? collapseWhitespace(text.value) : htmlToPlainText(text.value);
}

function nullIfEmpty(text: string): string | null {
  return text === '' ? null : text;
}

/** Cuts on the last space in the final 40% (text without spaces, e.g. CJK, is cut at the limit). */
export function truncateOnWordBoundary(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let cut = text.slice(0, maxLength);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const lastSpace = cut.lastIndexOf(' ');
  if (lastSpace > maxLength * 0.6) cut = cut.slice(0, lastSpace);
  return `${cut.replace(/[\s,;:.…–—-]+$/, '')}…`;
}

/**
 * The item's body as HTML: the content, else the description. A description without markup
 * is still the whole text: readers get all of it (the summary is the short form, cut at
 * SUMMARY_MAX_LENGTH), with its blank-line paragraphs kept as <p>.
 */
function contentHtml(item: ParsedItem, itemBase: string): string | null {
  const chosen = htmlOf(item.content, false) ?? htmlOf(item.description, true) ?? plainDescription(item.description);
  if (chosen === null) return null;
  return absolutizeHtmlUrls(chosen.html, resolveBase(itemBase, chosen.source.base));
}

/** A description with no markup as paragraphs of escaped text (it is text either way: entities decoded first when typed HTML). */
function plainDescription(text: ParsedText | null): { html: string; source: ParsedText } | null {
  if (text === null || text.value.trim() === '') return null;
  const value = text.type === 'text' ? text.value : decodeHtmlEntities(text.value);
  const paragraphs = value
    .split(/\n[ \t]*\n/)
    .map((paragraph) => collapseWhitespace(paragraph))
    .filter((paragraph) => paragraph !== '');
  return { html: paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join(''), source: text };
}

function htmlOf(text: ParsedText | null, onlyWithMarkup: boolean): { html: string; source: ParsedText } | null {
  if (text === null || text.value.trim() === '') return null;
  if (text.type === 'text') return onlyWithMarkup ? null : { html: escapeHtml(text.value.trim()), source: text };
  if (onlyWithMarkup && !containsHtmlTag(text.value)) return null;
  return { html: text.value.trim(), source: text };
}

/** "jo@example.com (Jo Smith)" (RSS 2.0 <author>) reads as "Jo Smith". */
function firstAuthor(authors: string[]): string | null {
  for (const author of authors) {
    const text = collapseWhitespace(decodeHtmlEntities(author));
    const named = /^\S+@\S+\s*\(([^()]+)\)$/.exec(text);
    const name = named === null ? text : named[1]!.trim();
    if (name !== '') return name;
  }
  return null;
}

/** RSS categories ("x" or {_: "x", $: {domain}}), Atom categories ({$: {term, label}}: label, else term), dc:subject. */
function flattenCategories(values: unknown[]): string[] {
  const categories = new Set<string>();
  for (const value of values) {
    const text = collapseWhitespace(decodeHtmlEntities(categoryText(value)));
    if (text !== '') categories.add(text);
  }
  return [...categories];
}

function categoryText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return '';
  const element = value as { _?: unknown; $?: Record<string, unknown> };
  if (typeof element._ === 'string' && element._.trim() !== '') return element._;
  const label = element.$?.label;
  const term = element.$?.term;
  if (typeof label === 'string' && label.trim() !== '') return label;
  return typeof term === 'string' ? term : '';
}

function parseTtl(ttl: string | null): number | null {
  const trimmed = ttl?.trim() ?? '';
  if (!/^\d{1,7}$/.test(trimmed)) return null;
  const minutes = Number(trimmed);
  return minutes > 0 ? minutes : null;
}

// ---------------------------------------------------------------------------------------------
// Identity

/** guid/id (trimmed, case kept: RFC 4287 §4.2.6.1 compares ids character by character), else link, else a hash. */
function itemKey(item: ParsedItem, url: string | null, title: string, date: Date | null): string {
  const id = item.id?.trim() ?? '';
  if (id !== '') return id;
  if (url !== null) return url;
  const dateText = date?.toISOString() ?? item.published[0] ?? item.updated[0] ?? '';
  const parts = [title, dateText];
  if (title === '' && dateText === '') parts.push((item.description ?? item.content)?.value.trim() ?? '');
  return `sha256:${createHash('sha256').update(parts.join('\n')).digest('hex')}`;
}

/**
 * One item per key. RFC 4287 §4.1.1: entries sharing an id are the same entry, and the usual
 * choice is the one with the latest atom:updated; the same holds for a repeated RSS guid. So
 * the latest-dated occurrence wins (updated, else published); with equal or no dates the first
 * occurrence wins. The survivor keeps the first occurrence's position.
 */
function keepOnePerKey(items: NormalizedItem[]): NormalizedItem[] {
  const positions = new Map<string, number>();
  const kept: NormalizedItem[] = [];
  for (const item of items) {
    const position = positions.get(item.key);
    if (position === undefined) {
      positions.set(item.key, kept.length);
      kept.push(item);
    } else if (timeOf(item) > timeOf(kept[position]!)) {
      kept[position] = item;
    }
  }
  return kept;
}

function timeOf(item: NormalizedItem): number {
  return (item.updatedAt ?? item.publishedAt)?.getTime() ?? Number.NEGATIVE_INFINITY;
}

// ---------------------------------------------------------------------------------------------
// Dates

function firstDate(candidates: string[], timeZone: string | null): Date | null {
  for (const candidate of candidates) {
    const date = parseFeedDate(candidate, timeZone);
    if (date !== null) return date;
  }
  return null;
}
