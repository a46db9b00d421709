/**
 * The JSON Feed reader (https://www.jsonfeed.org/version/1.1/, and version 1): a JSON Feed
 * document → the same ParsedFeed the RSS and Atom readers produce, so normalize treats its items
 * like theirs (URLs resolved, dates read, content sanitized on output, one item per key).
 *
 * - Recognition: an object whose `version` is a jsonfeed.org version URL, or a bare version
 *   number ("1", "1.1": some generators write that) with an `items` array. Other JSON is
 *   `not_a_feed`, saying what is missing.
 * - Mapping: `url` is the item's link; without one the `id` is (when it is an http(s) URL,
 *   as for an Atom id), else `external_url` (a link-blog entry without a permalink: the page it
 *   is about). title, summary and content_text are plain text, content_html is HTML (the spec:
 *   "the only place HTML is allowed"); `authors` (1.1) is preferred to `author` (1.0); tags are
 *   categories; every attachment is an enclosure (normalize keeps the first usable one, as for
 *   RSS). `feed_url` is the base of relative URLs, `home_page_url` the site. A `hubs` entry of
 *   type "WebSub" is a link with rel "hub", `feed_url` one with rel "self" (WebSub §4 discovery).
 * - Ignored: `_`-prefixed extensions, icon, favicon, image, banner_image, next_url, other hub
 *   types (rssCloud), language, expired, user_comment.
 * - Untrusted types: a member of the wrong type is skipped (json-values.ts), an item that is not
 *   an object is skipped. An item without an id is kept and keyed like an RSS item without a
 *   guid (by its link, else a hash): the spec asks readers to discard it, but dropping a
 *   publisher's every item for a missing field would serve readers worse than the RSS rule does.
 */
import { FeedError } from '../../errors.ts';
import { parseJsonDocument } from './json-document.ts';
import { arrayMember, isJsonObject, member, stringMember, textMember, textValue, type JsonObject } from './json-values.ts';
import type { ParsedEnclosure, ParsedFeed, ParsedItem, ParsedLink, ParsedText } from './parsed-feed.ts';

export function readJsonFeed(text: string): ParsedFeed {
  const document = parseJsonDocument(text);
  if (!isJsonObject(document)) {
    throw new FeedError('not_a_feed', 'the document is a JSON array or value, not a JSON Feed (an object with "version" and "items")');
  }
  const format = jsonFeedFormat(document);
  const items = member(document, 'items');
  if (!Array.isArray(items)) throw new FeedError('not_a_feed', `the document is a JSON Feed without an "items" array`);
  const feedUrl = stringMember(document, 'feed_url');
  return {
    kind: 'json',
    format,
    bases: feedUrl === null ? [] : [feedUrl],
    title: plainText(textMember(document, 'title')),
    description: plainText(textMember(document, 'description')),
    links: [...link(stringMember(document, 'home_page_url'), null), ...link(feedUrl, 'self'), ...webSubHubs(document)],
    authors: authorNames(document),
    ttl: null,
    items: items.filter(isJsonObject).map(readItem),
  };
}

const VERSION_URL = /^\s*https?:\/\/(?:www\.)?jsonfeed\.org\/version\/(\d{1,3}(?:\.\d{1,3})?)\/?\s*$/i;
const BARE_VERSION = /^\s*(\d{1,3}(?:\.\d{1,3})?)\s*$/;

/** 'json1.0', 'json1.1' (a later version reads as itself: the spec promises it only adds). */
function jsonFeedFormat(document: JsonObject): string {
  const version = textMember(document, 'version');
  const number = version === null ? undefined : (VERSION_URL.exec(version) ?? BARE_VERSION.exec(version))?.[1];
  if (version === null || number === undefined) {
    const found = version === null ? 'no "version"' : `"version" ${JSON.stringify(version.slice(0, 60))}`;
    throw new FeedError('not_a_feed', `the document is JSON, not a feed: it has ${found} (a JSON Feed names https://jsonfeed.org/version/1.1)`);
  }
  return `json${number.includes('.') ? number : `${number}.0`}`;
}

function readItem(item: JsonObject): ParsedItem {
  const id = textMember(item, 'id');
  return {
    base: null,
    id,
    guidIsPermaLink: null,
    about: null,
    links: itemLinks(item, id),
    title: plainText(textMember(item, 'title')),
    description: plainText(textMember(item, 'summary')),
    content: nonBlank(stringMember(item, 'content_html'), 'html') ?? plainText(stringMember(item, 'content_text')),
    published: present(stringMember(item, 'date_published')),
    updated: present(stringMember(item, 'date_modified')),
    authors: authorNames(item),
    categories: tags(item),
    enclosures: arrayMember(item, 'attachments').filter(isJsonObject).flatMap(attachment),
  };
}

/** `url`, else the id when it is the permalink (normalize reads it), else `external_url`. */
function itemLinks(item: JsonObject, id: string | null): ParsedLink[] {
  const url = stringMember(item, 'url');
  if (url !== null && url.trim() !== '') return link(url, null);
  if (id !== null && /^\s*https?:\/\//i.test(id)) return [];
  return link(stringMember(item, 'external_url'), null);
}

function link(href: string | null, rel: string | null): ParsedLink[] {
  return href === null || href.trim() === '' ? [] : [{ href, rel, type: null, length: null, base: null }];
}

/** JSON Feed 1.1 `hubs`: objects with `type` and `url`; only WebSub hubs are of use here. */
function webSubHubs(document: JsonObject): ParsedLink[] {
  return arrayMember(document, 'hubs')
    .filter(isJsonObject)
    .filter((hub) => stringMember(hub, 'type')?.trim().toLowerCase() === 'websub')
    .flatMap((hub) => link(stringMember(hub, 'url'), 'hub'));
}

/** 1.1 `authors` when it names anyone (the spec: prefer it), else 1.0 `author`; a bare string is a name too. */
function authorNames(object: JsonObject): string[] {
  const names = arrayMember(object, 'authors').flatMap((author) => present(isJsonObject(author) ? textMember(author, 'name') : null));
  if (names.length > 0) return names;
  const author = member(object, 'author');
  return present(isJsonObject(author) ? textMember(author, 'name') : textValue(author));
}

/** An array of strings (numbers read as text); a single string is one tag. */
function tags(item: JsonObject): string[] {
  const value = member(item, 'tags');
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((tag) => present(textValue(tag)));
}

function attachment(value: JsonObject): ParsedEnclosure[] {
  const url = stringMember(value, 'url');
  if (url === null || url.trim() === '') return [];
  const size = member(value, 'size_in_bytes');
  const length = typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? String(size) : stringMember(value, 'size_in_bytes');
  return [{ url, type: stringMember(value, 'mime_type'), length }];
}

function plainText(value: string | null): ParsedText | null {
  return nonBlank(value, 'text');
}

function nonBlank(value: string | null, type: ParsedText['type']): ParsedText | null {
  return value === null || value.trim() === '' ? null : { value, type, base: null };
}

/** The trimmed value as a one-element list, or [] when null or blank. */
function present(value: string | null): string[] {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? [] : [trimmed];
}
