/**
 * A canonical form of an article URL, used only as an identity key: two items whose
 * canonical URLs are equal are the same story. It need not be fetchable, so it folds
 * variants a publisher serves the same article under (RFC 3986 §6 normalization, plus
 * tracking parameters, www/m/amp hosts and AMP paths).
 */

// Parameters that identify a campaign or a click, never the article.
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'twclid',
  'igshid',
  'ttclid',
  'mc_cid',
  'mc_eid',
  'mkt_tok',
  '_hsenc',
  '_hsmi',
  'hsctatracking',
  'ref',
  'ref_src',
  'ref_url',
  'referrer',
  'cmpid',
  'ocid',
  'sr_share',
  'share',
  'spm',
  'ito',
  '_ga',
  '_gl',
  'ncid',
  'cid_source',
  'rss',
  'rssfeed',
  'from',
  'feature',
  'amp',
]);
const TRACKING_PREFIXES = ['utm_', 'pk_', 'mtm_', 'itm_', 'at_'];
// Hosts that mirror the main site (mobile, AMP): folded into the bare domain.
const MIRROR_HOST_PREFIX = /^(?:www\d?|m|mobile|amp)\./;

function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMS.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** Folds AMP paths: /amp/x, /x/amp, /x/amp/, /x.amp, /x.amp.html → /x (and .html kept). */
function stripAmpPath(pathname: string): string {
  return pathname
    .replace(/^\/amp(?=\/)/, '')
    .replace(/\/amp\/?$/, '')
    .replace(/\.amp(\.html?)?$/, (_match, ext: string | undefined) => ext ?? '');
}

/**
 * The same link without its tracking parameters, to show readers (the "Also reported by"
 * links). Unlike canonicalUrl it stays fetchable: scheme, host, path, the other parameters
 * in their order and the fragment are kept as the publisher wrote them.
 */
export function withoutTracking(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  // Pairs are dropped as written, not re-serialized: URLSearchParams would re-encode the
  // others (%20 as +, / as %2F), and some servers read those differently.
  const pairs = url.search.slice(1).split('&');
  const kept = pairs.filter((pair) => !isTrackingParam(decodedName(pair)));
  if (kept.length === pairs.length) return raw;
  url.search = kept.filter((pair) => pair !== '').join('&');
  return url.href;
}

function decodedName(pair: string): string {
  const name = pair.split('=', 1)[0]!.replaceAll('+', ' ');
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

export function canonicalUrl(raw: string | null): string | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // WHATWG URL already lower-cases the scheme and host, drops default ports and
  // normalizes percent-encoding case and dot segments.
  const host = url.hostname.replace(/\.$/, '').replace(MIRROR_HOST_PREFIX, '');
  const params = [...url.searchParams].filter(([name]) => !isTrackingParam(name));
  params.sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a < b ? -1 : 1));
  const query = new URLSearchParams(params).toString();
  let path = stripAmpPath(url.pathname);
  if (path.length > 1) path = path.replace(/\/+$/, '');
  if (path === '') path = '/';
  const port = url.port ? `:${url.port}` : '';
  // http and https copies of one page are one article.
  return `https://${host}${port}${path}${query ? `?${query}` : ''}`;
}
