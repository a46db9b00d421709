/**
 * Bodies: size caps and decompression. The body is read while it streams, the
 * bytes on the wire and the decoded bytes both counted against maxBytes; bodies
 * we do not read are drained or dropped so their sockets do not linger.
 */
import { Readable, pipeline, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { FeedError } from '../../errors.ts';
import type { ResponseHeaders } from './cache-headers.ts';
import { errorMessage, formatBytes } from './error-mapping.ts';
import { firstHeader } from './response-headers.ts';

/** Unread bodies (redirects, errors) up to this size are drained to keep the socket; larger ones are dropped. */
const DRAIN_LIMIT_BYTES = 64 * 1024;
/** More stacked codings than this is abuse (cf. CVE-2022-32206), not a feed. */
const MAX_CONTENT_CODINGS = 3;

/** Accept-Encoding of every request: exactly the codings readBody can undo. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

type ContentCoding = 'gzip' | 'deflate' | 'br';

const CODING_ALIASES: Record<string, ContentCoding> = {
  gzip: 'gzip',
  'x-gzip': 'gzip', // RFC 9110 §8.4.1.3
  deflate: 'deflate',
  br: 'br',
};

/** RFC 9110 §8.4: the codings in the order they were applied ("identity" means none). */
export function parseContentEncoding(headers: ResponseHeaders, url: URL): ContentCoding[] {
  const raw = headers['content-encoding'];
  const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  const names = value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '' && name !== 'identity');
  if (names.length > MAX_CONTENT_CODINGS) {
    throw new FeedError('bad_encoding', `response from ${url.href} stacks ${names.length} content codings (${value})`);
  }
  return names.map((name) => {
    const coding = CODING_ALIASES[name];
    if (coding === undefined) {
      throw new FeedError(
        'bad_encoding',
        `response from ${url.href} uses Content-Encoding "${name}", which Tidings cannot decode (it asks for ${ACCEPT_ENCODING})`,
      );
    }
    return coding;
  });
}

/** Rejects before reading when Content-Length already says the body is too large. */
export function rejectDeclaredOversize(headers: ResponseHeaders, url: URL, maxBytes: number): void {
  const declared = Number(firstHeader(headers, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new FeedError('too_large', `response from ${url.href} is ${formatBytes(declared)} (Content-Length), larger than ${formatBytes(maxBytes)} (maxBytes)`);
  }
}

/**
 * Streams the body into memory, never holding more than about maxBytes: the
 * bytes on the wire are counted and so is the decompressed output, and the
 * first to pass maxBytes aborts the response (which closes its socket). A gzip
 * bomb therefore stops after inflating a little more than maxBytes.
 */
export async function readBody(
  body: Readable,
  codings: readonly ContentCoding[],
  url: URL,
  maxBytes: number,
): Promise<{ bytes: Buffer; bytesReceived: number }> {
  let bytesReceived = 0;
  // Errors of the response stream itself (reset, timeout, wire-size cap), as
  // opposed to errors of the decoders: the latter mean a corrupt body.
  let sourceError: unknown;
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;

  async function nextChunk(): Promise<Buffer | null> {
    try {
      const { value, done } = await iterator.next();
      if (done) return null;
      bytesReceived += value.length;
      if (bytesReceived > maxBytes) {
        throw new FeedError('too_large', `response from ${url.href} is larger than ${formatBytes(maxBytes)} (maxBytes)`);
      }
      return value;
    } catch (error) {
      sourceError = error;
      throw error;
    }
  }

  async function* chunksFrom(first: Buffer): AsyncGenerator<Buffer> {
    yield first;
    for (let chunk = await nextChunk(); chunk !== null; chunk = await nextChunk()) yield chunk;
  }

  try {
    const first = await nextChunk();
    // An empty body needs no decoding (gunzip would call it truncated).
    if (first === null) return { bytes: Buffer.alloc(0), bytesReceived };
    const decoded = codings.length === 0 ? chunksFrom(first) : decode(chunksFrom(first), codings, first);
    const bytes = await collect(decoded, maxBytes, () => {
      return new FeedError('too_large', `response from ${url.href} decompresses to more than ${formatBytes(maxBytes)} (maxBytes)`);
    });
    return { bytes, bytesReceived };
  } catch (error) {
    if (error instanceof FeedError || error === sourceError) throw error;
    throw new FeedError('bad_encoding', `response from ${url.href} is not valid ${codings.join(', ')} data (Content-Encoding): ${errorMessage(error)}`, {
      cause: error,
    });
  } finally {
    // Releases the socket if we stopped early; a no-op after a complete read.
    if (!body.destroyed) body.destroy();
  }
}

/** Undoes the codings, last applied first (RFC 9110 §8.4). */
function decode(source: AsyncGenerator<Buffer>, codings: readonly ContentCoding[], first: Buffer): AsyncIterable<Buffer> {
  const decoders = [...codings].reverse().map((coding, index) => createDecoder(coding, index === 0 ? first : null));
  const streams: Array<NodeJS.ReadableStream | NodeJS.ReadWriteStream> = [Readable.from(source, { objectMode: false }), ...decoders];
  // Errors of any stage destroy the last one, so iterating it rejects.
  return pipeline(streams, () => {}) as unknown as AsyncIterable<Buffer>;
}

function createDecoder(coding: ContentCoding, firstChunk: Buffer | null): Transform {
  switch (coding) {
    case 'gzip':
      return createGunzip();
    case 'br':
      return createBrotliDecompress();
    case 'deflate':
      // RFC 9110 §8.4.1.2 says zlib-wrapped, but some servers send raw deflate
      // (as browsers tolerate): tell them apart by the zlib header.
      return firstChunk === null || hasZlibHeader(firstChunk) ? createInflate() : createInflateRaw();
  }
}

/** RFC 1950 §2.2: CM = 8 (deflate) and CINFO <= 7 in the first byte; the header checksum needs the second. */
function hasZlibHeader(chunk: Buffer): boolean {
  const cmf = chunk[0];
  if (cmf === undefined || (cmf & 0x0f) !== 8 || cmf >> 4 > 7) return false;
  const flg = chunk[1];
  return flg === undefined || (cmf * 256 + flg) % 31 === 0;
}

async function collect(source: AsyncIterable<Buffer>, maxBytes: number, tooLarge: () => FeedError): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    parts.push(chunk);
  }
  return Buffer.concat(parts, size);
}

/**
 * Drops a body we will not read. A small one is drained so the keep-alive socket
 * can be reused; a large one is cut off (dump destroys it past the limit), and a
 * slow one when the chain ends or its deadline passes (ChainAbort in request-chain.ts).
 */
export function discardBody(body: Dispatcher.ResponseData['body']): void {
  // Already closed, or already being read or drained.
  if (body.destroyed || body.readableEnded || body.readableFlowing !== null) return;
  body.dump({ limit: DRAIN_LIMIT_BYTES }).catch(() => {});
}
