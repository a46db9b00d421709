/**
 * Whether an item's article lives on its own source's site: the item's URL and the site (or
 * the feed itself) share a registrable domain (the public suffix list decides: m.yna.co.kr and
 * www.yna.co.kr are one site, example.co.kr and other.co.kr are not). When copies of a story
 * share a canonical URL, the copy from that URL's own site is the original, whatever date
 * another outlet's copy claims (stories.ts chooses the representative by it).
 */
import { getDomain } from 'tldts';

function siteOf(url: string): string | null {
  try {
    const host = new URL(url).hostname.toLowerCase();
    // An IP address or a single-label host has no registrable domain: the host is the site.
    return getDomain(host) ?? host.replace(/^www\./, '');
  } catch {
    return null;
  }
}

/** True when `articleUrl` is on the site of `siteUrls` (the source's site, then its feed URL). */
export function isOnOwnSite(articleUrl: string | null, siteUrls: ReadonlyArray<string | null>): boolean {
  if (articleUrl === null) return false;
  const article = siteOf(articleUrl);
  return article !== null && siteUrls.some((url) => url !== null && siteOf(url) === article);
}
