/**
 * JSON text → a JSON value, or a FeedError: `malformed_json` (with the line and column of the
 * fault when V8 reports its offset), or `not_a_feed` for nesting no feed has.
 *
 * No recovery is attempted: the JSON Feed spec asks readers not to use partial data of invalid
 * JSON ("Suggestions for Feed Readers", https://www.jsonfeed.org/version/1.1/).
 */
import { FeedError } from '../../errors.ts';

/**
 * A JSON Feed nests five levels (feed, items, item, attachments, attachment) plus whatever an
 * extension adds. V8's JSON.parse spends ~3 µs per level of nesting (measured on Node 20: a
 * 10 MB document of nothing but `[` takes 15–30 s, a 10 MB feed 0.2 s), so deeper documents are
 * refused before parsing.
 */
export const MAX_JSON_DEPTH = 100;

/** The document starts like JSON (after a BOM and JSON whitespace, RFC 8259 §2): an object or an array. */
export function looksLikeJson(text: string): boolean {
  return /^\uFEFF?[ \t\n\r]*[[{]/.test(text);
}

export function parseJsonDocument(withBom: string): unknown {
  // decode.ts strips a leading BOM, but this stage may be handed text from elsewhere (RFC 8259 §8.1: parsers MAY ignore it).
  const text = withBom.charCodeAt(0) === 0xfeff ? withBom.slice(1) : withBom;
  refuseDeepNesting(text);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw malformedJson(text, error);
  }
}

/** Brackets outside strings, one linear pass (a charCode loop: ~8 ms per MB, measured on Node 20). */
function refuseDeepNesting(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c /* \ */) i++;
      else if (code === 0x22 /* " */) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b /* [ */ || code === 0x7b /* { */) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new FeedError('not_a_feed', `the document is JSON nested more than ${MAX_JSON_DEPTH} levels deep, which no JSON Feed is`);
      }
    } else if (code === 0x5d /* ] */ || code === 0x7d /* } */) {
      depth--;
    }
  }
}

/**
 * V8 says "Expected ',' or '}' after property value in JSON at position 20", but names no
 * position in "Unexpected token '}', "…[}" is not valid JSON", whose excerpt must do.
 */
function malformedJson(text: string, error: unknown): FeedError {
  const message = error instanceof Error ? error.message : String(error);
  const position = /\s*in JSON at position (\d+)/.exec(message);
  const reason = (position === null ? message.replace(/\s*is not valid JSON$/, '') : message.slice(0, position.index)).slice(0, 200);
  const where = position === null ? '' : ` (${lineAndColumn(text, Number(position[1]))})`;
  return new FeedError('malformed_json', `not valid JSON: ${reason}${where}`, { cause: error });
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = (before.match(/\n/g)?.length ?? 0) + 1;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}
