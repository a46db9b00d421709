/**
 * WebSub discovery (W3C WebSub §4): which hub to subscribe to, for which topic URL, from a
 * fetched feed. A publisher names its hub (rel="hub") and the feed's canonical URL
 * (rel="self") in HTTP Link headers (RFC 8288) or in the document (Atom link, RSS atom:link,
 * JSON Feed `hubs` and `feed_url`; normalize.ts reads those). The Link headers come first
 * (§4: subscribers look there before the body); without both a hub and a self URL there is
 * nothing to subscribe to. Pure: strings in, a decision out.
 */
import type { WebSubLinks } from '../model.ts';

export interface HubDiscovery {
  /** The hub's URL (the first one named: one subscription per source is enough, §4 lets a subscriber choose). */
  hub: string;
  /** The topic URL, the rel="self" URL the hub knows the feed by (§5.1: hub.topic). */
  topic: string;
}

/** One link of a Link header: its target, resolved, and its relation types, lower-cased. */
export interface HeaderLink {
  href: string;
  rels: string[];
}

/** Every usable link of the Link header values (several headers, several links each), against `base`. */
export function parseLinkHeader(values: readonly string[], base: string): HeaderLink[] {
  const links: HeaderLink[] = [];
  // RFC 8288 §3: link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param ), comma-separated.
  const linkValue = /<([^>]*)>((?:\s*;\s*[^;,=\s]+(?:\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^;,\s]*))?)*)/g;
  for (const value of values) {
    for (const match of value.matchAll(linkValue)) {
      const href = httpUrl(match[1]!, base);
      if (href === null) continue;
      links.push({ href, rels: relsOf(match[2]!) });
    }
  }
  return links;
}

/** The relation types of a link's parameters (rel="hub self" names two, RFC 8288 §3.3). */
function relsOf(params: string): string[] {
  const param = /;\s*([^;,=\s]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^;,\s]*)))?/g;
  for (const match of params.matchAll(param)) {
    if (match[1]!.toLowerCase() !== 'rel') continue;
    const value = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
    return value
      .toLowerCase()
      .split(/\s+/)
      .filter((rel) => rel !== '');
  }
  return [];
}

function httpUrl(reference: string, base: string): string | null {
  try {
    const url = new URL(reference.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * The hub and topic of a fetched feed, or null when it names no hub or no self URL.
 * `feedUrl` is the URL the document came from (relative Link targets resolve against it).
 */
export function discoverHub(document: WebSubLinks, linkHeaders: readonly string[], feedUrl: string): HubDiscovery | null {
  const header = parseLinkHeader(linkHeaders, feedUrl);
  const headerHubs = header.filter((link) => link.rels.includes('hub')).map((link) => link.href);
  const headerSelf = header.find((link) => link.rels.includes('self'))?.href ?? null;
  const hub = headerHubs[0] ?? document.hubs[0] ?? null;
  const topic = headerSelf ?? document.self;
  return hub === null || topic === null ? null : { hub, topic };
}
