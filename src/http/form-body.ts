/**
 * HTML form bodies for the admin page, without a dependency: urlencoded (URLSearchParams)
 * and multipart/form-data (for the OPML file input), both read whole under a size limit
 * into `{ name: [values] }`. A file part's content is read as UTF-8 text, which is all
 * the page accepts (OPML).
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.ts';

export type FormFields = Record<string, string[]>;

const MAX_PARTS = 200;

export function parseUrlEncoded(text: string): FormFields {
  const fields: FormFields = {};
  for (const [name, value] of new URLSearchParams(text)) {
    fields[name] ??= [];
    fields[name].push(value);
  }
  return fields;
}

/** multipart/form-data (RFC 7578) with the boundary from the Content-Type header. */
export function parseMultipart(body: Buffer, contentType: string): FormFields {
  const boundary = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  if (!boundary) throw new HttpError(400, 'invalid_form', 'multipart body without a boundary');
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const separator = Buffer.concat([Buffer.from('\r\n'), delimiter]);
  const fields: FormFields = {};
  let pos = body.indexOf(delimiter);
  if (pos === -1) throw new HttpError(400, 'invalid_form', 'malformed multipart body');
  pos += delimiter.length;
  for (let parts = 0; ; parts++) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return fields; // "--": the closing delimiter
    if (parts >= MAX_PARTS) throw new HttpError(400, 'invalid_form', `more than ${MAX_PARTS} form fields`);
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const end = body.indexOf(separator, pos);
    if (end === -1) throw new HttpError(400, 'invalid_form', 'malformed multipart body: a part is not terminated');
    const part = body.subarray(pos, end);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd === -1) throw new HttpError(400, 'invalid_form', 'malformed multipart body: a part has no headers');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const name = /content-disposition:[^\r\n]*?;\s*name="([^"]*)"/i.exec(headers)?.[1];
    if (name !== undefined) {
      fields[name] ??= [];
      fields[name].push(part.subarray(headerEnd + 4).toString('utf8'));
    }
    pos = end + separator.length;
  }
}

/** Registers both parsers on a (scoped) instance. */
export function registerFormParsers(app: FastifyInstance, bodyLimit: number): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_request, body, done) =>
    done(null, parseUrlEncoded(body as string)),
  );
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    try {
      done(null, parseMultipart(body as Buffer, request.headers['content-type'] ?? ''));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/** The first value of a field, or undefined. */
export function field(fields: unknown, name: string): string | undefined {
  return isFields(fields) ? fields[name]?.[0] : undefined;
}

/** Every value of a field. */
export function fieldAll(fields: unknown, name: string): string[] {
  return isFields(fields) ? (fields[name] ?? []) : [];
}

function isFields(value: unknown): value is FormFields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}
