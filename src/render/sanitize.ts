/**
 * Item HTML as it reaches feed readers: an allow-list of formatting and structure
 * elements, every URL made absolute and restricted to safe schemes, nothing that can run
 * script, load a frame, submit a form or restyle the reader.
 *
 * Built on sanitize-html (docs/architecture.md § HTML sanitizing: allow-list + transformTags
 * neutralized every hostile payload tried). The rules follow the OWASP XSS Prevention and
 * HTML Sanitization guidance: allow-list elements and attributes, never block-list them;
 * validate URLs by parsing them, never by pattern-matching the text. The output is only
 * ever what sanitize-html re-serializes (elements from the allow-list, attribute values
 * and text escaped), so parser differentials in the *input* cannot leak through.
 *
 * Decisions worth knowing:
 * - URLs are parsed with the WHATWG URL parser, the same algorithm browsers use, so the
 *   obfuscations browsers forgive (`jav&#x09;ascript:`, ` JaVaScRiPt:`, `\x01javascript:`)
 *   are seen exactly as a browser would see them. Allowed: http/https everywhere, plus
 *   mailto for links. `data:` is refused everywhere, images included: `data:image/svg+xml`
 *   can carry script when opened on its own, and inline blobs bloat every feed copy.
 * - Relative URLs resolve against `baseUrl` (the article URL). With no base they cannot be
 *   resolved correctly (a reader would resolve them against Tidings' own feed URL), so the
 *   link becomes plain text and the image is dropped. Protocol-relative URLs without a base get https.
 * - `<picture>` is unwrapped to its `<img>` fallback (every reader renders img; `<source>`
 *   media queries mostly do not survive reader CSS). `srcset` on img is kept, each
 *   candidate validated and absolutized; lazy-loading `data-src`/`data-srcset` are promoted
 *   when the real attribute is missing or a placeholder.
 * - Links get `rel="noopener noreferrer nofollow"`: Tidings republishes third-party HTML,
 *   so it neither vouches for the links (nofollow) nor lets the target see or script the
 *   opener; `target` is dropped (a reader decides where links open).
 * - 1×1 (or 0×0, or display:none) images are tracking pixels and are dropped.
 * - `h1` becomes `h2`: the reader shows the item title as the top heading.
 * - `lang` and `dir` are kept on every element: mixed Korean/English text needs `lang` for
 *   the right CJK glyphs, and right-to-left scripts need `dir`.
 */
import sanitize from 'sanitize-html';
import { xmlSafe } from './xml-safe.ts';

/** Elements kept (with their content). Everything else is removed, its text kept unless listed in DROPPED_WITH_CONTENT. */
const ALLOWED_TAGS: readonly string[] = [
  'p',
  'br',
  'hr',
  'div',
  'span',
  'a',
  'strong',
  'b',
  'em',
  'i',
  'u',
  's',
  'del',
  'ins',
  'mark',
  'small',
  'sub',
  'sup',
  'abbr',
  'cite',
  'q',
  'blockquote',
  'code',
  'pre',
  'kbd',
  'ul',
  'ol',
  'li',
  'dl',
  'dt',
  'dd',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'caption',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'th',
  'td',
  'figure',
  'figcaption',
  'img',
];

/**
 * Removed together with everything inside them: raw-text and script-capable containers
 * (script, style, template, svg, math, iframe, object…), form controls whose text would be
 * noise, and `noscript`/`noembed`/`noframes`, whose content browsers may parse as raw text
 * (the classic mXSS parser-differential vector, cf. DOMPurify's handling of noscript).
 */
const DROPPED_WITH_CONTENT: readonly string[] = [
  'script',
  'style',
  'template',
  'noscript',
  'noembed',
  'noframes',
  'iframe',
  'frame',
  'frameset',
  'object',
  'applet',
  'svg',
  'math',
  'textarea',
  'select',
  'option',
  'button',
  'xmp',
  'plaintext',
  'title',
];

/*
 * Removing an element from inside transformTags: sanitize-html 2.17.5 offers two ways and
 * both fail here. Renaming it to a disallowed tag leaves a stale rename behind (the next
 * sibling at that depth gets the wrong closing tag), and `exclusiveFilter` re-slices the
 * whole output per removed element (measured: 24 s for 1 MB of tracking pixels). So a link
 * with no usable href becomes an attribute-less <span>, and an image to drop becomes an
 * attribute-less <img />, which sanitize-html always serializes as exactly this string
 * (text is escaped, so the string cannot come from text) and one linear pass removes.
 */
const DROPPED_IMAGE = '<img />';

const ALLOWED_ATTRIBUTES: Record<string, sanitize.AllowedAttribute[]> = {
  // Values are checked in keepValidGlobalAttributes (sanitize-html's `values` form does not apply to '*').
  '*': ['lang', 'dir'],
  a: ['href', 'title', 'rel'],
  img: ['src', 'srcset', 'sizes', 'alt', 'title', 'width', 'height'],
  abbr: ['title'],
  blockquote: ['cite'],
  q: ['cite'],
  ol: ['start', 'reversed'],
  li: ['value'],
  th: ['colspan', 'rowspan', 'scope'],
  td: ['colspan', 'rowspan'],
};

const LINK_REL = 'noopener noreferrer nofollow';
const LINK_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);
const RESOURCE_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:']);

/**
 * Sanitizes one item's HTML for republishing. `baseUrl` is the article URL relative links
 * and images resolve against (null when the item has none: relative URLs are then dropped).
 */
export function sanitizeHtml(html: string, baseUrl: string | null): string {
  const input = truncateToTagLimit(xmlSafe(html));
  if (input.trim() === '') return '';
  const base = parseBaseUrl(baseUrl);
  const output = sanitize(input, {
    allowedTags: [...ALLOWED_TAGS],
    allowedAttributes: ALLOWED_ATTRIBUTES,
    nonTextTags: [...DROPPED_WITH_CONTENT],
    disallowedTagsMode: 'discard',
    // Defence in depth: transformElement already rewrote every URL to an absolute
    // http(s)/mailto one; sanitize-html's own scheme check would catch a slip.
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'], blockquote: ['http', 'https'], q: ['http', 'https'] },
    allowProtocolRelative: false,
    parseStyleAttributes: false,
    transformTags: {
      h1: 'h2',
      '*': (tagName, attribs) => transformElement(tagName, attribs, base),
    },
  });
  return xmlSafe(output.replaceAll(DROPPED_IMAGE, '')).trim();
}

/**
 * htmlparser2 10 keeps its open-element stack with Array#unshift/shift, so its cost grows
 * with (tags × depth): 100,000 nested unclosed `<div>`s take seconds. Capping the number of
 * tags bounds that product (20,000 tags: well under 0.1 s) while leaving any real article
 * whole; a longer document is cut before the tag over the limit, and the parser closes
 * whatever is still open. Any prefix of HTML is still HTML, so the cut cannot create markup.
 */
const MAX_TAGS = 20_000;

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function truncateToTagLimit(html: string): string {
  let tags = 0;
  for (let lt = html.indexOf('<'); lt !== -1; lt = html.indexOf('<', lt + 1)) {
    const next = html.charCodeAt(lt + 1);
    const startsTag = isAsciiLetter(next) || (next === 0x2f /* / */ && isAsciiLetter(html.charCodeAt(lt + 2)));
    if (startsTag && ++tags > MAX_TAGS) return html.slice(0, lt);
  }
  return html;
}

function parseBaseUrl(baseUrl: string | null): URL | null {
  if (baseUrl === null) return null;
  try {
    const url = new URL(baseUrl);
    return RESOURCE_SCHEMES.has(url.protocol) ? url : null;
  } catch {
    return null;
  }
}

/** Per-element rewrites that need to see (and replace) the raw attributes. */
function transformElement(tagName: string, attribs: sanitize.Attributes, base: URL | null): sanitize.Tag {
  const kept = keepValidGlobalAttributes(attribs);
  switch (tagName) {
    case 'a':
      return transformLink(attribs, kept, base);
    case 'img':
      return transformImage(attribs, kept, base);
    case 'blockquote':
    case 'q':
      return withUrlAttribute(tagName, kept, 'cite', resolveUrl(attribs.cite, base, RESOURCE_SCHEMES));
    default: {
      // Other allowed attributes (colspan, title…) pass through sanitize-html's allow-list.
      const { lang: _lang, dir: _dir, ...rest } = attribs;
      return { tagName, attribs: { ...rest, ...kept } };
    }
  }
}

const TEXT_DIRECTIONS: ReadonlySet<string> = new Set(['ltr', 'rtl', 'auto']);

/** A BCP 47-shaped `lang` and a valid `dir`, the only attributes every element may keep. */
function keepValidGlobalAttributes(attribs: sanitize.Attributes): sanitize.Attributes {
  const kept: sanitize.Attributes = {};
  const lang = attribs.lang?.trim();
  if (lang !== undefined && /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8}){0,8}$/.test(lang)) kept.lang = lang;
  const dir = attribs.dir?.trim().toLowerCase();
  if (dir !== undefined && TEXT_DIRECTIONS.has(dir)) kept.dir = dir;
  return kept;
}

function withUrlAttribute(tagName: string, kept: sanitize.Attributes, name: string, url: string | null): sanitize.Tag {
  return { tagName, attribs: url === null ? kept : { ...kept, [name]: url } };
}

/** A link keeps only a safe absolute href and its title; with no usable href it becomes plain text (a bare span). */
function transformLink(attribs: sanitize.Attributes, kept: sanitize.Attributes, base: URL | null): sanitize.Tag {
  const href = resolveUrl(attribs.href, base, LINK_SCHEMES);
  if (href === null) return { tagName: 'span', attribs: kept };
  const result: sanitize.Attributes = { ...kept, href, rel: LINK_REL };
  if (attribs.title !== undefined) result.title = attribs.title;
  return { tagName: 'a', attribs: result };
}

/** Placeholders lazy-loading scripts put in `src` until the real image scrolls into view. */
function isPlaceholderSrc(src: string | undefined): boolean {
  return src === undefined || src.trim() === '' || /^\s*data:/i.test(src) || /\/(?:blank|spacer|pixel|placeholder)\.(?:gif|png)$/i.test(src);
}

/** An image keeps a safe absolute src (or srcset); tracking pixels and unresolvable images are dropped. */
function transformImage(attribs: sanitize.Attributes, kept: sanitize.Attributes, base: URL | null): sanitize.Tag {
  if (isTrackingPixel(attribs)) return { tagName: 'img', attribs: {} };
  const lazySrc = attribs['data-src'] ?? attribs['data-lazy-src'] ?? attribs['data-original'];
  const rawSrc = isPlaceholderSrc(attribs.src) && lazySrc !== undefined ? lazySrc : attribs.src;
  const rawSrcset = attribs.srcset ?? attribs['data-srcset'];
  const src = resolveUrl(rawSrc, base, RESOURCE_SCHEMES);
  const srcset = rawSrcset === undefined ? null : sanitizeSrcset(rawSrcset, base);
  if (src === null && srcset === null) return { tagName: 'img', attribs: {} };

  const result: sanitize.Attributes = { ...kept };
  if (src !== null) result.src = src;
  if (srcset !== null) {
    result.srcset = srcset;
    if (attribs.sizes !== undefined) result.sizes = attribs.sizes;
  }
  for (const name of ['alt', 'title'] as const) {
    if (attribs[name] !== undefined) result[name] = attribs[name];
  }
  for (const name of ['width', 'height'] as const) {
    const value = attribs[name]?.trim();
    if (value !== undefined && /^\d{1,5}%?$/.test(value)) result[name] = value;
  }
  return { tagName: 'img', attribs: result };
}

function pixelSize(value: string | undefined): number | null {
  if (value === undefined) return null;
  const match = /^\s*(\d{1,6})(?:\.\d+)?\s*(?:px)?\s*$/i.exec(value);
  return match === null ? null : Number(match[1]);
}

/** 1×1 (or smaller) images and hidden images exist only to report that the item was opened. */
function isTrackingPixel(attribs: sanitize.Attributes): boolean {
  const style = (attribs.style ?? '').toLowerCase();
  if (/display\s*:\s*none|visibility\s*:\s*hidden/.test(style)) return true;
  const width = pixelSize(attribs.width) ?? pixelSize(/(?:^|[;\s])width\s*:\s*([^;]{1,20})/.exec(style)?.[1]);
  const height = pixelSize(attribs.height) ?? pixelSize(/(?:^|[;\s])height\s*:\s*([^;]{1,20})/.exec(style)?.[1]);
  return width !== null && height !== null && width <= 1 && height <= 1;
}

/**
 * An absolute URL with an allowed scheme, or null. The WHATWG URL parser strips leading
 * and trailing C0 controls and spaces and removes tabs and newlines anywhere, exactly as a
 * browser does before deciding the scheme, so obfuscated `javascript:` is recognized.
 */
function resolveUrl(raw: string | undefined, base: URL | null, schemes: ReadonlySet<string>): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(raw, base ?? UNRESOLVABLE_BASE);
  } catch {
    return null;
  }
  if (base === null && url.host === UNRESOLVABLE_BASE.host) return null; // relative, and nothing to resolve it against
  return schemes.has(url.protocol) ? url.href : null;
}

/** Stand-in base when the item has no URL: absolute URLs ignore it, relative ones are detected and refused. */
const UNRESOLVABLE_BASE = new URL('https://unresolvable.invalid/');

/**
 * One `srcset` image candidate, split per the HTML "parse a srcset attribute" algorithm
 * (WHATWG HTML § 4.8.4.3.10): the URL is a run of non-whitespace (trailing commas end the
 * candidate), then descriptors up to the next comma outside parentheses.
 */
interface SrcsetCandidate {
  url: string;
  descriptor: string;
}

function isSrcsetSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}

const COMMA = 0x2c;

function parseSrcset(value: string): SrcsetCandidate[] {
  const candidates: SrcsetCandidate[] = [];
  const length = value.length;
  let pos = 0;
  while (pos < length) {
    while (pos < length && (isSrcsetSpace(value.charCodeAt(pos)) || value.charCodeAt(pos) === COMMA)) pos++;
    if (pos >= length) break;
    const urlStart = pos;
    while (pos < length && !isSrcsetSpace(value.charCodeAt(pos))) pos++;
    let url = value.slice(urlStart, pos);
    let descriptor = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      const descriptorStart = pos;
      let inParens = false;
      for (; pos < length && (inParens || value.charCodeAt(pos) !== COMMA); pos++) {
        if (value[pos] === '(') inParens = true;
        else if (value[pos] === ')') inParens = false;
      }
      descriptor = value.slice(descriptorStart, pos).trim();
      pos++; // past the comma
    }
    candidates.push({ url, descriptor });
  }
  return candidates;
}

/** Width (`640w`) or density (`2x`, `1.5x`) descriptors; anything else makes the candidate invalid. */
const SRCSET_DESCRIPTOR = /^(?:\d{1,6}w|\d{0,3}(?:\.\d{1,3})?x)?$/;

/** Real srcsets list a handful of sizes; a cap keeps a hostile 100,000-candidate one cheap. */
const MAX_SRCSET_CANDIDATES = 16;

/** Keeps the candidates with a valid descriptor and a safe URL, absolutized; null when none is left. */
function sanitizeSrcset(value: string, base: URL | null): string | null {
  const kept: string[] = [];
  for (const candidate of parseSrcset(value)) {
    if (kept.length === MAX_SRCSET_CANDIDATES) break;
    if (!SRCSET_DESCRIPTOR.test(candidate.descriptor)) continue;
    const url = resolveUrl(candidate.url, base, RESOURCE_SCHEMES);
    if (url === null) continue;
    // A trailing comma would end the URL early when the srcset is parsed again.
    const safeUrl = url.replace(/,+$/, (commas) => '%2C'.repeat(commas.length));
    kept.push(candidate.descriptor === '' ? safeUrl : `${safeUrl} ${candidate.descriptor}`);
  }
  return kept.length === 0 ? null : kept.join(', ');
}
