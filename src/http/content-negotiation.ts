/**
 * Whether an error answer should be a page or JSON, from the request's Accept header
 * (RFC 9110 §12.5.1). Browsers name text/html first (`text/html,…,*\/*;q=0.8`); API
 * clients name application/json, or nothing, or only `*\/*` (curl): those keep the JSON
 * shape scripts parse.
 */

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

/** At most this many ranges are read: a real Accept header has a handful. */
const MAX_RANGES = 32;

function parseAccept(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of accept.split(',', MAX_RANGES)) {
    const [range = '', ...params] = part.split(';');
    const [type, subtype] = range.trim().toLowerCase().split('/');
    if (!type || !subtype) continue;
    const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    ranges.push({ type, subtype, q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0 });
  }
  return ranges;
}

/** The q of a media type: from the most specific range that matches it (type/subtype, then type/*, then *\/*). */
function qualityOf(ranges: readonly MediaRange[], type: string, subtype: string): { q: number; explicit: boolean } {
  const exact = ranges.find((r) => r.type === type && r.subtype === subtype);
  if (exact) return { q: exact.q, explicit: true };
  const sameType = ranges.find((r) => r.type === type && r.subtype === '*');
  if (sameType) return { q: sameType.q, explicit: false };
  const any = ranges.find((r) => r.type === '*' && r.subtype === '*');
  return { q: any?.q ?? 0, explicit: false };
}

/**
 * True when the client names text/html and prefers it to application/json. A tie goes to
 * JSON: a client that names both as equals is a script that can read either.
 */
export function prefersHtml(accept: string | undefined): boolean {
  // Most requests (feed readers, scripts) never name text/html: no parsing for them.
  if (accept === undefined || !accept.toLowerCase().includes('text/html')) return false;
  const ranges = parseAccept(accept);
  const html = qualityOf(ranges, 'text', 'html');
  const json = qualityOf(ranges, 'application', 'json');
  return html.explicit && html.q > 0 && html.q > json.q;
}
