/**
 * HTML → plain text, for item titles, summaries and feed descriptions, and the named
 * character reference table the XML pre-pass in parse.ts shares.
 *
 * Everything here is a single left-to-right pass (indexOf scans and regexes with bounded
 * quantifiers), so hostile multi-megabyte input costs linear time.
 */

/**
 * HTML 4.01's 248 named character references (HTML 4.01 §24), name then decimal code point.
 * They are also exactly the names sax (rss-parser's XML tokenizer) resolves without a DTD,
 * which parse.ts relies on when deciding which `&name;` to leave alone.
 */
const HTML4_ENTITIES = [
  'AElig 198 Aacute 193 Acirc 194 Agrave 192 Aring 197 Atilde 195 Auml 196 Ccedil 199 ETH 208',
  'Eacute 201 Ecirc 202 Egrave 200 Euml 203 Iacute 205 Icirc 206 Igrave 204 Iuml 207',
  'Ntilde 209 Oacute 211 Ocirc 212 Ograve 210 Oslash 216 Otilde 213 Ouml 214 THORN 222',
  'Uacute 218 Ucirc 219 Ugrave 217 Uuml 220 Yacute 221 aacute 225 acirc 226 aelig 230 agrave 224',
  'aring 229 atilde 227 auml 228 ccedil 231 eacute 233 ecirc 234 egrave 232 eth 240 euml 235',
  'iacute 237 icirc 238 igrave 236 iuml 239 ntilde 241 oacute 243 ocirc 244 ograve 242',
  'oslash 248 otilde 245 ouml 246 szlig 223 thorn 254 uacute 250 ucirc 251 ugrave 249 uuml 252',
  'yacute 253 yuml 255 copy 169 reg 174 nbsp 160 iexcl 161 cent 162 pound 163 curren 164 yen 165',
  'brvbar 166 sect 167 uml 168 ordf 170 laquo 171 not 172 shy 173 macr 175 deg 176 plusmn 177',
  'sup1 185 sup2 178 sup3 179 acute 180 micro 181 para 182 middot 183 cedil 184 ordm 186',
  'raquo 187 frac14 188 frac12 189 frac34 190 iquest 191 times 215 divide 247 OElig 338',
  'oelig 339 Scaron 352 scaron 353 Yuml 376 fnof 402 circ 710 tilde 732 Alpha 913 Beta 914',
  'Gamma 915 Delta 916 Epsilon 917 Zeta 918 Eta 919 Theta 920 Iota 921 Kappa 922 Lambda 923',
  'Mu 924 Nu 925 Xi 926 Omicron 927 Pi 928 Rho 929 Sigma 931 Tau 932 Upsilon 933 Phi 934',
  'Chi 935 Psi 936 Omega 937 alpha 945 beta 946 gamma 947 delta 948 epsilon 949 zeta 950',
  'eta 951 theta 952 iota 953 kappa 954 lambda 955 mu 956 nu 957 xi 958 omicron 959 pi 960',
  'rho 961 sigmaf 962 sigma 963 tau 964 upsilon 965 phi 966 chi 967 psi 968 omega 969',
  'thetasym 977 upsih 978 piv 982 ensp 8194 emsp 8195 thinsp 8201 zwnj 8204 zwj 8205 lrm 8206',
  'rlm 8207 ndash 8211 mdash 8212 lsquo 8216 rsquo 8217 sbquo 8218 ldquo 8220 rdquo 8221',
  'bdquo 8222 dagger 8224 Dagger 8225 bull 8226 hellip 8230 permil 8240 prime 8242 Prime 8243',
  'lsaquo 8249 rsaquo 8250 oline 8254 frasl 8260 euro 8364 image 8465 weierp 8472 real 8476',
  'trade 8482 alefsym 8501 larr 8592 uarr 8593 rarr 8594 darr 8595 harr 8596 crarr 8629',
  'lArr 8656 uArr 8657 rArr 8658 dArr 8659 hArr 8660 forall 8704 part 8706 exist 8707',
  'empty 8709 nabla 8711 isin 8712 notin 8713 ni 8715 prod 8719 sum 8721 minus 8722 lowast 8727',
  'radic 8730 prop 8733 infin 8734 ang 8736 and 8743 or 8744 cap 8745 cup 8746 int 8747',
  'there4 8756 sim 8764 cong 8773 asymp 8776 ne 8800 equiv 8801 le 8804 ge 8805 sub 8834',
  'sup 8835 nsub 8836 sube 8838 supe 8839 oplus 8853 otimes 8855 perp 8869 sdot 8901',
  'lceil 8968 rceil 8969 lfloor 8970 rfloor 8971 lang 9001 rang 9002 loz 9674 spades 9824',
  'clubs 9827 hearts 9829 diams 9830',
].join(' ');

/** The five entities every XML processor knows (XML 1.0 §4.6). */
export const XML_PREDEFINED_ENTITIES: ReadonlySet<string> = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

/** Named character references: XML's five plus HTML 4.01's, name → code point. */
export const NAMED_ENTITIES: ReadonlyMap<string, number> = buildNamedEntities();

function buildNamedEntities(): Map<string, number> {
  const map = new Map<string, number>([
    ['amp', 38],
    ['lt', 60],
    ['gt', 62],
    ['quot', 34],
    ['apos', 39],
  ]);
  const words = HTML4_ENTITIES.split(' ');
  for (let i = 0; i + 1 < words.length; i += 2) map.set(words[i]!, Number(words[i + 1]));
  return map;
}

/**
 * Numeric references to C1 controls mean windows-1252 characters in HTML (WHATWG HTML
 * "numeric character reference end state"): &#146; is a right single quote, not U+0092.
 */
const WINDOWS_1252_C1: ReadonlyMap<number, number> = new Map([
  [0x80, 0x20ac],
  [0x82, 0x201a],
  [0x83, 0x0192],
  [0x84, 0x201e],
  [0x85, 0x2026],
  [0x86, 0x2020],
  [0x87, 0x2021],
  [0x88, 0x02c6],
  [0x89, 0x2030],
  [0x8a, 0x0160],
  [0x8b, 0x2039],
  [0x8c, 0x0152],
  [0x8e, 0x017d],
  [0x91, 0x2018],
  [0x92, 0x2019],
  [0x93, 0x201c],
  [0x94, 0x201d],
  [0x95, 0x2022],
  [0x96, 0x2013],
  [0x97, 0x2014],
  [0x98, 0x02dc],
  [0x99, 0x2122],
  [0x9a, 0x0161],
  [0x9b, 0x203a],
  [0x9c, 0x0153],
  [0x9e, 0x017e],
  [0x9f, 0x0178],
]);

const REPLACEMENT_CHARACTER = '\uFFFD';

/** Bounded quantifiers: a reference is at most `&#` + 7 digits or a 32-letter name. */
const CHARACTER_REFERENCE = /&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{0,31}));/g;

/** Decodes HTML character references; unknown names are left as written. */
export function decodeHtmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARACTER_REFERENCE, (whole, decimal?: string, hex?: string, name?: string) => {
    if (name !== undefined) {
      const codePoint = NAMED_ENTITIES.get(name);
      return codePoint === undefined ? whole : String.fromCodePoint(codePoint);
    }
    return codePointToText(decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex!, 16));
  });
}

function codePointToText(codePoint: number): string {
  const remapped = WINDOWS_1252_C1.get(codePoint);
  if (remapped !== undefined) return String.fromCodePoint(remapped);
  const isSurrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
  if (codePoint === 0 || codePoint > 0x10ffff || isSurrogate) return REPLACEMENT_CHARACTER;
  return String.fromCodePoint(codePoint);
}

/**
 * The whitespace runs that collapsing changes: two or more whitespace characters, or a single
 * one that is not a plain space (`(?<! )` looks back at the character `\s` just took). A lone
 * ' ', the gap between nearly every two words, is left unmatched: /\s+/g matched it too, one
 * match per word, and splicing in those hundreds of identical replacements was most of the cost
 * of htmlToPlainText. Every run is matched whole from its first character, so the result equals
 * text.replace(/\s+/g, ' '). Starting with a plain `\s` keeps the regex engine's fast scan for
 * the first character, so text with few spaces (Chinese, Japanese) costs no more than before.
 * Linear: a run is either matched whole or, being one space, rejected after one character.
 */
const WHITESPACE_TO_COLLAPSE = /\s(?:\s+|(?<! ))/g;

/** Collapses every run of whitespace (including NBSP and other Unicode spaces) to one space, trimmed. */
export function collapseWhitespace(text: string): string {
  return text.replace(WHITESPACE_TO_COLLAPSE, ' ').trim();
}

/** Plain text of an HTML fragment: tags, comments, scripts and styles removed, entities decoded, whitespace collapsed. */
export function htmlToPlainText(html: string): string {
  const withoutTags = html.includes('<') ? stripTags(html) : html;
  return collapseWhitespace(decodeHtmlEntities(withoutTags));
}

/** True when the text contains something that looks like an HTML tag (not just a `<` in prose). */
export function containsHtmlTag(text: string): boolean {
  return /<\/?[A-Za-z][^<>]*>/.test(text);
}

/** Escapes text for use as HTML element content. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

/** Elements that do not separate words; every other tag is replaced by a space. */
const INLINE_ELEMENTS: ReadonlySet<string> = new Set([
  'a',
  'abbr',
  'b',
  'bdi',
  'bdo',
  'big',
  'cite',
  'code',
  'data',
  'del',
  'dfn',
  'em',
  'font',
  'i',
  'ins',
  'kbd',
  'mark',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'sup',
  'time',
  'tt',
  'u',
  'var',
  'wbr',
]);

/** Elements whose content is never text. */
const RAW_TEXT_END: Readonly<Record<string, RegExp>> = {
  script: /<\/script\s*>/gi,
  style: /<\/style\s*>/gi,
};

const LESS_THAN = 0x3c;
const GREATER_THAN = 0x3e;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x0c;
}

/**
 * Removes tags in one pass. A `<` that does not start a tag, comment or declaration is text
 * ("a < b", "<3"). Quote-aware tag ends (so `alt="a>b"` stays inside its tag) are used while a
 * budget of 2× the input lasts; after that a plain indexOf keeps hostile input linear.
 */
function stripTags(html: string): string {
  const parts: string[] = [];
  const budget = { remaining: html.length * 2 };
  const length = html.length;
  let pos = 0;
  while (pos < length) {
    const lt = html.indexOf('<', pos);
    if (lt === -1) {
      parts.push(html.slice(pos));
      break;
    }
    if (lt > pos) parts.push(html.slice(pos, lt));
    const next = html.charCodeAt(lt + 1);
    if (html.startsWith('!--', lt + 1)) {
      const end = html.indexOf('-->', lt + 4);
      pos = end === -1 ? length : end + 3;
      continue;
    }
    const isClosing = next === SLASH;
    if (isAsciiLetter(isClosing ? html.charCodeAt(lt + 2) : next)) {
      const end = findTagEnd(html, lt, budget);
      if (end === -1) {
        parts.push(html.slice(lt));
        break;
      }
      const name = tagNameAt(html, isClosing ? lt + 2 : lt + 1);
      if (!INLINE_ELEMENTS.has(name)) parts.push(' ');
      pos = end + 1;
      const rawTextEnd = isClosing ? undefined : RAW_TEXT_END[name];
      if (rawTextEnd !== undefined) pos = skipPast(html, rawTextEnd, pos);
      continue;
    }
    if (next === 0x21 /* ! */ || next === 0x3f /* ? */) {
      const end = html.indexOf('>', lt + 2);
      pos = end === -1 ? length : end + 1;
      continue;
    }
    parts.push('<');
    pos = lt + 1;
  }
  return parts.join('');
}

function tagNameAt(html: string, start: number): string {
  let end = start;
  while (end < html.length) {
    const code = html.charCodeAt(end);
    if (isSpace(code) || code === SLASH || code === GREATER_THAN) break;
    end++;
  }
  return html.slice(start, end).toLowerCase();
}

function skipPast(html: string, pattern: RegExp, from: number): number {
  pattern.lastIndex = from;
  const match = pattern.exec(html);
  return match === null ? html.length : match.index + match[0].length;
}

function findTagEnd(html: string, start: number, budget: { remaining: number }): number {
  if (budget.remaining > 0) {
    let quote = 0;
    let previous = 0;
    let i = start + 1;
    for (; i < html.length; i++) {
      const code = html.charCodeAt(i);
      if (quote !== 0) {
        if (code === quote) quote = 0;
      } else if ((code === DOUBLE_QUOTE || code === SINGLE_QUOTE) && previous === EQUALS) {
        quote = code;
      } else if (code === GREATER_THAN) {
        budget.remaining -= i - start;
        return i;
      } else if (code === LESS_THAN) {
        break; // a new tag starts before this one ended: fall back to the plain scan
      }
      if (!isSpace(code)) previous = code;
    }
    budget.remaining -= i - start;
  }
  return html.indexOf('>', start + 1);
}
