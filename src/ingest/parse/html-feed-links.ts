/**
 * HTML pages: advertised feeds. When a "feed" URL serves an HTML page, the page's
 * `<link rel="alternate">` feed links are what the user meant to subscribe to.
 */
import { decodeHtmlEntities } from '../../text/html-text.ts';

/** The not_a_feed message for an HTML page advertising these feed links. */
export function describeHtmlPage(alternates: string[]): string {
  return alternates.length > 0
    ? `the document is an HTML page, not a feed; it links to these feeds: ${alternates.join(', ')}`
    : 'the document is an HTML page, not a feed, and it links to no feed (no <link rel="alternate"> with a feed type)';
}

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
export function findAlternateHrefs(html: string): string[] {
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
