/**
 * WebSub discovery (W3C WebSub, 2018, §4): a topic names its hubs and its own URL, in the
 * document (Atom `<link rel="hub">`, RSS `<atom:link rel="hub">`, JSON Feed 1.1 `hubs`) and
 * in the HTTP `Link` header (RFC 8288), so a subscriber finds them either way.
 */

/** Where the built-in hub listens (src/http/websub-hub-routes.ts). */
export const BUILTIN_HUB_PATH = '/websub/hub';

/** The hubs every topic and digest document names: the configured ones, then the built-in hub when on. */
export function documentHubs(websub: { hubs: readonly string[]; builtin: boolean }, publicUrl: string): string[] {
  const hubs = [...websub.hubs];
  if (websub.builtin) hubs.push(publicUrl + BUILTIN_HUB_PATH);
  return [...new Set(hubs)];
}

/** The `Link` header value naming the hubs and the document itself; null when there is no hub to name. */
export function hubLinkHeader(hubs: readonly string[], selfUrl: string): string | null {
  if (hubs.length === 0) return null;
  // RFC 8288 §3: a URI-Reference in angle brackets; our URLs are already percent-encoded.
  return [...hubs.map((hub) => `<${hub}>; rel="hub"`), `<${selfUrl}>; rel="self"`].join(', ');
}

/** JSON Feed 1.1 `hubs`: absent (undefined) when there is none, so such documents keep their bytes. */
export function jsonFeedHubs(hubs: readonly string[] | undefined): Array<{ type: string; url: string }> | undefined {
  return hubs === undefined || hubs.length === 0 ? undefined : hubs.map((url) => ({ type: 'WebSub', url }));
}
