/**
 * The article of a fetched page, for sources with `fullContent` (full-content.ts): decode
 * the page, parse it with linkedom, let Mozilla's Readability (the algorithm behind
 * Firefox's Reader View) pick the article out of navigation, cookie banners, footers and
 * related-links boxes, sanitize what it kept (src/render/sanitize.ts, with the page's URL
 * as the base of relative links), then derive the text and signature grouping and topic
 * rules use, as read-feed.ts does for a feed's own content.
 *
 * Parsing a page and running Readability blocks for tens of milliseconds per page: it
 * runs in the read-feed worker threads (read-feed-worker.ts), never on the main thread.
 * So it takes and returns structured-cloneable data, and reports a failure as a value:
 * a page without an article is an outcome of the item, not an error of the poll.
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { textSignature, type TextSignature } from '../dedupe/index.ts';
import { sanitizeHtml } from '../render/sanitize.ts';
import { htmlToPlainText } from '../text/html-text.ts';
import { decodeFeed } from './parse/index.ts';

export interface ArticleTask {
  bytes: Uint8Array;
  contentType: string | null;
  /** The page's URL after redirects: the base of its relative links. */
  pageUrl: string;
  /** The item's title (for its text signature). */
  title: string;
  /** The length of the feed's own text for the item: an "article" no longer than that is no gain. */
  feedTextLength: number;
  /**
   * The bytes are an article extracted before (the page answered 304 to a conditional
   * GET): only its text and signature are derived again.
   */
  extracted?: boolean | undefined;
}

/** Why no article came out of a page; stored on the item as "code: message". */
export type ArticleErrorCode = 'not_html' | 'no_article' | 'article_too_short';

export type ArticleResult = { ok: true; html: string; text: string; signature: TextSignature | null } | { ok: false; code: ArticleErrorCode; message: string };

/** Fewer characters of text than this is no article (a teaser list, a log-in wall). */
const MIN_ARTICLE_CHARS = 200;
const HTML_TYPES = /^\s*(text\/html|application\/xhtml\+xml)\s*(;|$)/i;
/** WHATWG HTML "prescan": a charset declared in the first 1024 bytes. */
const META_CHARSET = /<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)/i;

export function extractArticle(task: ArticleTask): ArticleResult {
  let html: string;
  if (task.extracted) {
    html = new TextDecoder().decode(task.bytes);
  } else {
    if (task.contentType !== null && !HTML_TYPES.test(task.contentType)) {
      return { ok: false, code: 'not_html', message: `the page is ${task.contentType.split(';')[0]!.trim()}, not HTML` };
    }
    const page = decodeFeed(task.bytes, withDeclaredCharset(task.bytes, task.contentType)).text;
    const article = readArticle(page, task.pageUrl);
    if (article === null) return { ok: false, code: 'no_article', message: 'no article was found on the page' };
    html = sanitizeHtml(article, task.pageUrl);
  }
  const text = htmlToPlainText(html);
  if (!task.extracted && text.length <= task.feedTextLength) {
    return {
      ok: false,
      code: 'article_too_short',
      message: `the article found on the page (${text.length} characters) is no longer than the feed's own text (${task.feedTextLength})`,
    };
  }
  return { ok: true, html, text, signature: text === '' ? null : textSignature({ title: task.title, text }) };
}

/** Readability's article HTML, or null when the page has none. */
function readArticle(page: string, pageUrl: string): string | null {
  const { document } = parseHTML(page);
  // Readability resolves links against the document's base; linkedom's is empty, so a
  // <base> stands for the page URL (sanitizeHtml resolves what is left against it too).
  if (document.head && document.querySelector('base[href]') === null) {
    const base = document.createElement('base');
    base.setAttribute('href', pageUrl);
    document.head.appendChild(base);
  }
  const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0]).parse();
  // Readability returns its best candidate even on a page without an article (a section
  // front, a log-in wall): a few lines of links are not an article.
  return article?.content && (article.length ?? 0) >= MIN_ARTICLE_CHARS ? article.content : null;
}

/** The Content-Type, with the charset a <meta> declares when the header gives none. */
function withDeclaredCharset(bytes: Uint8Array, contentType: string | null): string | null {
  if (contentType !== null && /charset=/i.test(contentType)) return contentType;
  const declared = META_CHARSET.exec(Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).toString('latin1'));
  return declared ? `text/html; charset=${declared[1]}` : contentType;
}
