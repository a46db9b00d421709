/** The parsed shape: what parseFeed returns, the raw reading of an RSS, Atom or JSON Feed document. */

/** A text construct: RSS text or HTML, Atom text/html/xhtml (RFC 4287 §3.1). */
export interface ParsedText {
  /** Plain text when type is 'text'; HTML markup when 'html' or 'xhtml' (the xhtml wrapper div removed). */
  value: string;
  type: 'text' | 'html' | 'xhtml';
  /** xml:base on the element itself, unresolved. */
  base: string | null;
}

/** An RSS <link> (rel null) or an Atom link (RFC 4287 §4.2.7). */
export interface ParsedLink {
  href: string;
  rel: string | null;
  type: string | null;
  length: string | null;
  /** xml:base on the link element, unresolved. */
  base: string | null;
}

/** An RSS <enclosure> or a Media RSS <media:content>. Atom enclosures are links with rel="enclosure". */
export interface ParsedEnclosure {
  url: string;
  type: string | null;
  length: string | null;
}

export interface ParsedItem {
  /** xml:base on the entry/item element, unresolved. */
  base: string | null;
  /** RSS <guid>, Atom <id> or JSON Feed `id` text as written (not trimmed; a numeric id as a string). */
  id: string | null;
  /** RSS guid@isPermaLink when present (RSS 2.0 says it defaults to true); null otherwise. */
  guidIsPermaLink: boolean | null;
  /** RSS 1.0 item@rdf:about. */
  about: string | null;
  links: ParsedLink[];
  title: ParsedText | null;
  /** RSS <description> / Atom <summary> / JSON Feed `summary`. */
  description: ParsedText | null;
  /** content:encoded / Atom <content> / xhtml:body / JSON Feed `content_html`, else `content_text`. */
  content: ParsedText | null;
  /** Publication date strings, most authoritative first (pubDate, published, issued, dc:date…). */
  published: string[];
  /** Update date strings, most authoritative first (updated, modified, dcterms:modified…). */
  updated: string[];
  /** dc:creator, RSS <author>, Atom author names, in that order; JSON Feed `authors`, else `author`. */
  authors: string[];
  /** Raw xml2js values of RSS <category>, Atom <category> and dc:subject; JSON Feed `tags` (strings). */
  categories: unknown[];
  enclosures: ParsedEnclosure[];
}

export interface ParsedFeed {
  kind: FeedKind;
  /** 'rss2.0', 'rss1.0', 'rss0.90', 'rss0.91' … 'rss0.94', 'atom1.0', 'atom0.3', 'json1.0', 'json1.1'. */
  format: string;
  /** xml:base values from the root element inward (root, then RSS channel), unresolved; JSON Feed `feed_url`. */
  bases: string[];
  title: ParsedText | null;
  /** RSS channel <description> / Atom <subtitle> (<tagline> in Atom 0.3). */
  description: ParsedText | null;
  links: ParsedLink[];
  /** managingEditor / dc:creator / Atom feed authors (entries inherit them, RFC 4287 §4.2.1). */
  authors: string[];
  /** RSS <ttl> text. */
  ttl: string | null;
  items: ParsedItem[];
}

/** Which vocabulary the document is written in (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, or JSON Feed 1.0/1.1). */
export type FeedKind = 'rss' | 'atom' | 'json';
