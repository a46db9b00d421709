/** Text constructs: RSS text (HTML in practice) and Atom text/html/xhtml, from xml2js values. */
import type { ParsedText } from './parsed-feed.ts';
import { attributeString, textOf } from './xml2js-values.ts';

/** RSS text: titles and descriptions are HTML in practice (RSS 2.0: "entity-encoded HTML is allowed"). */
export function rssText(values: unknown[]): ParsedText | null {
  for (const value of values) {
    const text = textOf(value);
    if (text.trim() === '') continue;
    const type = attributeString(value, 'type') === 'xhtml' ? 'xhtml' : 'html';
    return { value: type === 'xhtml' ? unwrapXhtmlDiv(text) : text, type, base: attributeString(value, 'xml:base') };
  }
  return null;
}

/**
 * Atom text constructs (RFC 4287 §3.1, §4.1.3): type text/html/xhtml, Atom 0.3's MIME types and
 * mode="base64"; base64 content of other media types (§4.1.3.3 rule 6) is not text and is skipped.
 */
export function atomText(values: unknown[]): ParsedText | null {
  for (const value of values) {
    const parsed = atomTextConstruct(value);
    if (parsed !== null && parsed.value.trim() !== '') return parsed;
  }
  return null;
}

function atomTextConstruct(value: unknown): ParsedText | null {
  const declaredType = (attributeString(value, 'type') ?? '').trim().toLowerCase() || 'text';
  const mode = (attributeString(value, 'mode') ?? '').trim().toLowerCase();
  const type = atomTextType(declaredType) ?? (declaredType.startsWith('text/') ? 'text' : null);
  if (type === null) return null; // XML or base64-encoded binary media (RFC 4287 §4.1.3.3), not text
  const written = textOf(value);
  const text = mode === 'base64' ? decodeBase64Text(written) : written;
  return { value: type === 'xhtml' ? unwrapXhtmlDiv(text) : text, type, base: attributeString(value, 'xml:base') };
}

function atomTextType(declaredType: string): ParsedText['type'] | null {
  if (declaredType === 'text' || declaredType === 'text/plain') return 'text';
  if (declaredType === 'html' || declaredType === 'text/html') return 'html';
  if (declaredType === 'xhtml' || declaredType === 'application/xhtml+xml') return 'xhtml';
  return null;
}

function decodeBase64Text(text: string): string {
  return Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
}

/** RFC 4287 §3.1.1.3: the xhtml div wrapper is not part of the content. */
function unwrapXhtmlDiv(markup: string): string {
  const match = /^\s*<(?:[A-Za-z_][\w.-]*:)?div\b[^>]*>([\s\S]*)<\/(?:[A-Za-z_][\w.-]*:)?div>\s*$/.exec(markup);
  return match === null ? markup : match[1]!;
}
