/**
 * The parse stage's entry point: bytes → text (decodeFeed), text → ParsedFeed (parseFeed),
 * and the feed links an HTML page advertises (for "this is a page, not a feed" errors).
 */
export { decodeFeed, type DecodedFeed } from './decode.ts';
export { describeHtmlPage, findAlternateLinks, resolveAlternateHrefs } from './html-feed-links.ts';
export { parseFeed } from './parse-feed.ts';
export type { FeedKind, ParsedEnclosure, ParsedFeed, ParsedItem, ParsedLink, ParsedText } from './parsed-feed.ts';
