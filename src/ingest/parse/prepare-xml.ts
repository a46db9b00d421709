/**
 * The pre-pass: what lenient readers accept, made acceptable to a strict XML parser. A missing
 * channel is supplied, entity references are repaired (entity-references.ts), inline markup is
 * wrapped in CDATA (inline-markup.ts) and a truncated final end tag is closed.
 */
import type { RootElement } from './detect-format.ts';
import { collectInternalEntities, repairEntityReferences } from './entity-references.ts';
import { wrapInlineMarkupInCdata } from './inline-markup.ts';
import type { NamespaceMap } from './namespaces.ts';

export function prepareForXmlParser(text: string, root: RootElement, namespaces: NamespaceMap): string {
  const declared = collectInternalEntities(text.slice(0, root.start));
  const withChannel = supplyMissingChannel(text, root);
  const withEntities = repairEntityReferences(withChannel, declared);
  const withMarkupAsText = wrapInlineMarkupInCdata(withEntities, namespaces);
  return closeTruncatedFinalTag(withMarkupAsText);
}

/**
 * rss-parser dereferences `rss.channel[0]` / `rdf:RDF.channel[0]` unchecked, so a channel is
 * supplied where a document has none: an `<rss>` whose items sit directly under the root (seen
 * in the wild) gets them wrapped in a channel; an RSS 1.0/0.90 document (items are siblings of
 * the channel there) gets an empty one; `<rss/>` becomes an empty channel.
 */
function supplyMissingChannel(text: string, root: RootElement): string {
  if (/<(?:[A-Za-z_][\w.-]*:)?channel[\s/>]/.test(text)) return text;
  const isRss = /(?:^|:)rss$/.test(root.name);
  if (!isRss && !/(?:^|:)RDF$/.test(root.name)) return text;
  const startTagEnd = text.indexOf('>', root.start);
  if (startTagEnd === -1) return text;
  if (text.charCodeAt(startTagEnd - 1) === 0x2f /* <rss/> */) {
    return `${text.slice(0, startTagEnd - 1)}><channel></channel></${root.name}>${text.slice(startTagEnd + 1)}`;
  }
  const afterStartTag = startTagEnd + 1;
  if (!isRss) return `${text.slice(0, afterStartTag)}<channel></channel>${text.slice(afterStartTag)}`;
  const endTag = text.lastIndexOf(`</${root.name}`);
  const end = endTag > startTagEnd ? endTag : text.length;
  return `${text.slice(0, afterStartTag)}<channel>${text.slice(afterStartTag, end)}</channel>${text.slice(end)}`;
}

/** A document cut off inside its last end tag (`…</rss` without ">") is closed. */
function closeTruncatedFinalTag(text: string): string {
  const tail = text.slice(-200);
  return /<\/[A-Za-z_][\w:.-]*\s*$/.test(tail) ? `${text.trimEnd()}>` : text;
}
