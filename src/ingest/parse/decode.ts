/**
 * decode: the bytes of a response to text.
 *
 * Order of trust (XML 1.0 Appendix F, WHATWG Encoding "decode"): a byte order mark, then the
 * Content-Type charset, then the XML declaration's encoding, else UTF-8. Two refinements that
 * real feeds need:
 *  - a legacy label on bytes that are valid UTF-8 with multibyte sequences is a mislabel: a
 *    real ISO-8859-x / windows-125x document essentially never forms valid multibyte UTF-8, so
 *    UTF-8 wins. For multibyte legacy encodings (EUC-KR, Shift_JIS, GBK, Big5…) short runs can
 *    be valid UTF-8 by accident, so more evidence is required (see UTF8_EVIDENCE).
 *  - a UTF-8 label on bytes that are not valid UTF-8 gives way to the next source (a server
 *    default of "charset=UTF-8" in front of an EUC-KR feed that declares EUC-KR).
 *
 * JSON is different (RFC 8259 §8.1: UTF-8; JSON Feed 1.1 allows "any encoding that's legal
 * JSON", i.e. also UTF-16/32, which a BOM or the zero bytes of the first character give away):
 * a charset label on a document that starts like JSON is ignored, and bytes that are not UTF-8
 * become U+FFFD rather than a legacy encoding's characters.
 *
 * Labels are resolved with the WHATWG label registry (TextDecoder's), so "iso-8859-1" and
 * "us-ascii" mean windows-1252 and "ks_c_5601-1987" means euc-kr, as in browsers. UTF-8 and
 * UTF-16 are decoded by TextDecoder. Legacy encodings are decoded by iconv-lite because Node 20's
 * ICU converters do not implement the WHATWG tables (measured here): windows-1252 silently drops
 * bytes 0x80–0x9F (curly quotes, €, …), windows-125x drop their undefined bytes, euc-kr rejects
 * the CP949 extension (똠, 햏, 뷁), big5 and euc-jp lose thousands of pairs. iconv-lite also
 * covers labels TextDecoder rejects (cp949, UTF-32).
 */
import iconv from 'iconv-lite';
import { FeedError } from '../../errors.ts';

export interface DecodedFeed {
  text: string;
  /** The encoding actually used, by its canonical name (e.g. "utf-8", "euc-kr", "windows-1252"). */
  encoding: string;
}

type EncodingFamily = 'utf-8' | 'utf-16' | 'utf-32' | 'single-byte' | 'multi-byte';

interface Codec {
  name: string;
  family: EncodingFamily;
  decode(bytes: Uint8Array): string;
}

export function decodeFeed(bytes: Uint8Array, contentType: string | null): DecodedFeed {
  try {
    const { codec, text } = chooseAndDecode(bytes, contentType);
    return { text: cleanDecodedText(text), encoding: codec.name };
  } catch (error) {
    if (error instanceof FeedError) throw error;
    throw new FeedError('undecodable', `the response body could not be decoded: ${String(error)}`, { cause: error });
  }
}

function chooseAndDecode(bytes: Uint8Array, contentType: string | null): { codec: Codec; text: string } {
  const fromBytes = encodingFromByteOrderMark(bytes) ?? encodingFromFirstCharacter(bytes);
  if (fromBytes !== null) {
    const codec = codecFor(fromBytes);
    if (codec === null) throw new FeedError('undecodable', `the body starts like ${fromBytes}, which cannot be decoded`);
    return { codec, text: codec.decode(bytes) };
  }
  if (startsLikeJson(bytes)) return { codec: UTF8, text: UTF8.decode(bytes) };

  const utf8 = lazyStrictUtf8(bytes);
  const labels = [charsetFromContentType(contentType), encodingFromXmlDeclaration(bytes)];
  for (const label of labels) {
    const codec = label === null ? null : codecFor(label);
    // Unknown labels, and UTF-16/32 labels on bytes that do not look like UTF-16/32, fall through.
    if (codec === null || codec.family === 'utf-16' || codec.family === 'utf-32') continue;
    if (codec.family === 'utf-8') {
      const text = utf8.text();
      if (text !== null) return { codec: UTF8, text };
      continue;
    }
    const text = utf8.text();
    if (text !== null && hasUtf8Evidence(text, codec.family)) return { codec: UTF8, text };
    return { codec, text: codec.decode(bytes) };
  }
  return decodeWithoutTrustedLabel(bytes, utf8.text());
}

/** No usable label: UTF-8 when valid; otherwise UTF-8 if it is mostly UTF-8, else windows-1252 (the WHATWG legacy default). */
function decodeWithoutTrustedLabel(bytes: Uint8Array, utf8Text: string | null): { codec: Codec; text: string } {
  if (utf8Text !== null) return { codec: UTF8, text: utf8Text };
  const { multibyte, invalid } = countUtf8Sequences(bytes);
  const codec = multibyte > invalid ? UTF8 : codecFor('windows-1252')!;
  return { codec, text: codec.decode(bytes) };
}

/**
 * How many non-ASCII characters valid UTF-8 must contain to overrule a legacy label. One is
 * enough against a single-byte label. An EUC-KR/GBK/Big5/Shift_JIS character is valid UTF-8 by
 * accident roughly one time in ten, so four must agree before the label is overruled.
 */
const UTF8_EVIDENCE: Record<'single-byte' | 'multi-byte', number> = { 'single-byte': 1, 'multi-byte': 4 };

function hasUtf8Evidence(utf8Text: string, family: EncodingFamily): boolean {
  if (family !== 'single-byte' && family !== 'multi-byte') return false;
  return countNonAscii(utf8Text, UTF8_EVIDENCE[family]) >= UTF8_EVIDENCE[family];
}

/** Non-ASCII characters in the text, counting up to `limit` only. */
function countNonAscii(text: string, limit: number): number {
  let count = 0;
  const nonAscii = /[^\u0000-\u007f]/g;
  while (count < limit && nonAscii.exec(text) !== null) count++;
  return count;
}

/** Strips C0 controls other than TAB/LF/CR and U+FFFE/U+FFFF (not XML 1.0 `Char`s, §2.2) and a leading BOM. */
function cleanDecodedText(text: string): string {
  const withoutBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return withoutBom.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]+/g, '');
}

// ---------------------------------------------------------------------------------------------
// Sources of truth

/** XML 1.0 Appendix F.1 / WHATWG "BOM sniff". UTF-32 is checked first: its LE BOM starts like UTF-16LE's. */
function encodingFromByteOrderMark(bytes: Uint8Array): string | null {
  const [b0, b1, b2, b3] = bytes;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return 'utf-8';
  if (b0 === 0x00 && b1 === 0x00 && b2 === 0xfe && b3 === 0xff) return 'utf-32be';
  if (b0 === 0xff && b1 === 0xfe && b2 === 0x00 && b3 === 0x00) return 'utf-32le';
  if (b0 === 0xfe && b1 === 0xff) return 'utf-16be';
  if (b0 === 0xff && b1 === 0xfe) return 'utf-16le';
  return null;
}

/**
 * XML 1.0 Appendix F.1 without a BOM: a document starts with "<" (JSON with "{" or "[", RFC 4627
 * §3), whose zero bytes give away UTF-16/32 and their byte order. No ASCII-compatible label can
 * be right for such bytes.
 */
function encodingFromFirstCharacter(bytes: Uint8Array): string | null {
  if (bytes.length < 4) return null;
  const [b0, b1, b2, b3] = bytes;
  if (b0 === 0x00 && b1 === 0x00 && b2 === 0x00 && opensDocument(b3)) return 'utf-32be';
  if (opensDocument(b0) && b1 === 0x00 && b2 === 0x00 && b3 === 0x00) return 'utf-32le';
  if (b0 === 0x00 && opensDocument(b1) && b2 === 0x00 && b3 !== 0x00) return 'utf-16be';
  if (opensDocument(b0) && b1 === 0x00 && b2 !== 0x00 && b3 === 0x00) return 'utf-16le';
  return null;
}

/** "<", "{" or "[". */
function opensDocument(byte: number | undefined): boolean {
  return byte === 0x3c || byte === 0x7b || byte === 0x5b;
}

/** After ASCII whitespace (RFC 8259 §2), "{" or "[". */
function startsLikeJson(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x7b || byte === 0x5b;
  }
  return false;
}

/** The charset parameter of a Content-Type (RFC 9110 §8.3), tolerating spaces around "=". */
export function charsetFromContentType(contentType: string | null): string | null {
  if (contentType === null) return null;
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;,\s]*))/i.exec(contentType);
  const label = match?.[1] ?? match?.[2] ?? '';
  return label.trim() === '' ? null : label.trim();
}

/**
 * The encoding pseudo-attribute of an XML declaration at the start of the document (XML 1.0
 * §4.3.3), read from the first bytes as ASCII: the declaration itself is ASCII in every
 * ASCII-compatible encoding.
 */
function encodingFromXmlDeclaration(bytes: Uint8Array): string | null {
  const head = asciiPrefix(bytes, 512);
  const declaration = /^\s*<\?xml\s([^>]{0,400})\?>/.exec(head);
  if (declaration === null) return null;
  const encoding = /\bencoding\s*=\s*["']\s*([A-Za-z0-9._:()-]{1,64})\s*["']/.exec(declaration[1]!);
  return encoding?.[1] ?? null;
}

function asciiPrefix(bytes: Uint8Array, maxLength: number): string {
  const length = Math.min(bytes.length, maxLength);
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

// ---------------------------------------------------------------------------------------------
// Codecs

const UTF8: Codec = textDecoderCodec('utf-8', 'utf-8');

/** Labels neither WHATWG nor iconv-lite knows but servers send (all mean Microsoft's Korean code page). */
const EXTRA_LABELS: Readonly<Record<string, string>> = {
  'x-windows-949': 'cp949',
  ms949: 'cp949',
  uhc: 'cp949',
  'x-uhc': 'cp949',
  'x-euc-kr': 'euc-kr',
};

/** iconv-lite "encodings" that are not character encodings. */
const NOT_CHARSETS: ReadonlySet<string> = new Set(['base64', 'base64url', 'hex', 'utf7', 'utf-7', 'utf7imap']);

const MULTI_BYTE_ENCODINGS: ReadonlySet<string> = new Set(['gbk', 'gb18030', 'big5', 'euc-jp', 'iso-2022-jp', 'shift_jis', 'euc-kr']);

const codecCache = new Map<string, Codec | null>();

/** A codec for a charset label, or null when the label names nothing we can decode. */
function codecFor(rawLabel: string): Codec | null {
  const label = rawLabel
    .trim()
    .replace(/^["']|["']$/g, '')
    .toLowerCase();
  const cached = codecCache.get(label);
  if (cached !== undefined) return cached;
  const codec = createCodec(EXTRA_LABELS[label] ?? label);
  if (codecCache.size < 256) codecCache.set(label, codec);
  return codec;
}

function createCodec(label: string): Codec | null {
  if (label === '') return null;
  const whatwgName = whatwgEncodingName(label);
  if (whatwgName !== null) {
    const family = familyOf(whatwgName);
    const useTextDecoder = family === 'utf-8' || family === 'utf-16' || !iconv.encodingExists(whatwgName);
    return useTextDecoder ? textDecoderCodec(whatwgName, family) : iconvCodec(whatwgName, family);
  }
  if (NOT_CHARSETS.has(label) || !iconv.encodingExists(label)) return null;
  return iconvCodec(label, familyOf(label));
}

/** The WHATWG Encoding Standard name for a label, or null when the registry does not know it. */
function whatwgEncodingName(label: string): string | null {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return null;
  }
}

function textDecoderCodec(name: string, family: EncodingFamily): Codec {
  return { name, family, decode: (bytes) => new TextDecoder(name).decode(bytes) };
}

function iconvCodec(name: string, family: EncodingFamily): Codec {
  return { name, family, decode: (bytes) => iconv.decode(bytes, name) };
}

function familyOf(name: string): EncodingFamily {
  const compact = name.replace(/[^a-z0-9]/g, '');
  if (compact === 'utf8') return 'utf-8';
  if (compact.startsWith('utf16') || compact === 'ucs2') return 'utf-16';
  if (compact.startsWith('utf32') || compact.startsWith('ucs4')) return 'utf-32';
  if (MULTI_BYTE_ENCODINGS.has(name) || /^(cp949|windows949|cp936|cp950|sjis|eucjp|euckr|gb|big5|cp932|ks)/.test(compact)) {
    return 'multi-byte';
  }
  return 'single-byte';
}

/** Decodes as strict UTF-8 at most once; `text()` is null when the bytes are not valid UTF-8. */
function lazyStrictUtf8(bytes: Uint8Array): { text(): string | null } {
  let done = false;
  let result: string | null = null;
  return {
    text() {
      if (!done) {
        done = true;
        try {
          result = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          result = null;
        }
      }
      return result;
    },
  };
}

/** Counts well-formed multibyte UTF-8 sequences and bytes that cannot be UTF-8 (RFC 3629 §4, simplified). */
function countUtf8Sequences(bytes: Uint8Array): { multibyte: number; invalid: number } {
  let multibyte = 0;
  let invalid = 0;
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const continuationBytes = lead < 0x80 ? 0 : lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : -1;
    if (continuationBytes === 0) {
      i++;
      continue;
    }
    if (continuationBytes > 0 && followedByContinuations(bytes, i, continuationBytes)) {
      multibyte++;
      i += continuationBytes + 1;
      continue;
    }
    invalid++;
    i++;
  }
  return { multibyte, invalid };
}

function followedByContinuations(bytes: Uint8Array, lead: number, count: number): boolean {
  if (lead + count >= bytes.length) return false;
  for (let k = 1; k <= count; k++) {
    const byte = bytes[lead + k]!;
    if (byte < 0x80 || byte > 0xbf) return false;
  }
  return true;
}
