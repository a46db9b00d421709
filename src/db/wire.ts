/**
 * The few pieces of the Postgres wire protocol (protocol 3.0, PostgreSQL docs chapter
 * "Frontend/Backend Protocol", section "Message Formats") the embedded server needs:
 * splitting a client's byte stream into messages, building the handful of messages it
 * sends itself, and following the backend's output to see where a client's unit ends.
 */

/** Untyped first messages: Int32 length, Int32 code, nothing else (or the startup body). */
export const PROTOCOL_3 = 196608;
export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;

/** NegotiateProtocolVersion: a 3.x client (3.2 since PostgreSQL 18) gets 3.0, no options. */
export const NEGOTIATE_3_0 = Buffer.from([0x76, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0]);

const Z = 'Z'.charCodeAt(0);
const IDLE = 'I'.charCodeAt(0);

/** A message with a one-byte type and the given null-terminated strings as its body. */
export function message(type: string, ...strings: string[]): Buffer {
  const body = Buffer.from(strings.map((s) => `${s}\0`).join(''));
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

export const simpleQuery = (sql: string) => message('Q', sql);
export const SYNC = message('S');

/** An ErrorResponse (severity, SQLSTATE, text), as the backend would send it. */
export function errorResponse(severity: 'ERROR' | 'FATAL', code: string, text: string): Buffer {
  // Field types S, V, C, M, then the terminating zero byte (an empty trailing string).
  return message('E', `S${severity}`, `V${severity}`, `C${code}`, `M${text}`, '');
}

/**
 * Length of the first complete message in `buffer` (0 when incomplete, -1 when malformed).
 * Before startup a message has no type byte; afterwards every message is a type byte and
 * an Int32 length that counts itself.
 */
export function completeLength(buffer: Buffer, typed: boolean): number {
  if (buffer.length < (typed ? 5 : 4)) return 0;
  // A startup packet is at most 10,000 bytes (MAX_STARTUP_PACKET_LENGTH in PostgreSQL).
  const length = typed ? 1 + buffer.readInt32BE(1) : buffer.readInt32BE(0);
  if (typed ? length < 5 : length < 8 || length > 10_000) return -1;
  return buffer.length >= length ? length : 0;
}

/**
 * Follows the backend's messages across output chunks (a chunk may end mid-message) and
 * tells whether the output so far ends with ReadyForQuery 'I': the end of a client's unit,
 * the moment the backend may serve someone else.
 */
export class ReadyScanner {
  #header = Buffer.alloc(5);
  #headerLength = 0;
  #remaining = 0;
  #type = 0;
  #status = 0;

  feed(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#remaining === 0) {
        this.#header[this.#headerLength++] = chunk[at++]!;
        if (this.#headerLength === 5) {
          this.#headerLength = 0;
          this.#type = this.#header[0]!;
          this.#remaining = this.#header.readInt32BE(1) - 4;
          this.#status = 0;
        }
      } else {
        if (this.#type === Z) this.#status = chunk[at]!;
        const taken = Math.min(this.#remaining, chunk.length - at);
        at += taken;
        this.#remaining -= taken;
      }
    }
  }

  get endsIdle(): boolean {
    return this.#type === Z && this.#status === IDLE && this.#remaining === 0 && this.#headerLength === 0;
  }
}

/**
 * The startup packet PGlite gets, whatever the client sent: its backend exits on one it
 * rejects (no user, say), taking the service down, and it ignores the user, database and
 * options of an accepted one anyway.
 */
export function startupPacket(): Buffer {
  const body = Buffer.from('user\0postgres\0database\0postgres\0\0');
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + body.length, 0);
  header.writeInt32BE(PROTOCOL_3, 4);
  return Buffer.concat([header, body]);
}

// After startup a frontend sends only these (Terminate, 'X', is handled before the backend).
// Anything else makes PGlite's backend hang (an unknown type; 'p', a password nobody asked
// for) inside a synchronous call, freezing the whole process: measured with PGlite 0.5.16.
const FRONTEND_TYPES = new Set([...'QPBDECSHFdcf'].map((c) => c.charCodeAt(0)));

/** The FATAL error answering a complete frontend message PGlite must not get, or null. */
export function refusal(msg: Buffer): Buffer | null {
  if (!FRONTEND_TYPES.has(msg[0]!)) return errorResponse('FATAL', '08P01', `unsupported frontend message type ${JSON.stringify(String.fromCharCode(msg[0]!))}`);
  const sql = statementText(msg);
  // PGlite cannot wait for the CopyData of COPY FROM STDIN: its backend exits.
  if (sql !== null && /stdin/i.test(sql) && /\bcopy\b[\s\S]*\bfrom\s+stdin\b/i.test(sql)) {
    return errorResponse('FATAL', '0A000', 'COPY FROM STDIN is not supported by the embedded database server; use INSERT');
  }
  return null;
}

/** The SQL text of a Query ('Q') or Parse ('P') message, else null. */
function statementText(msg: Buffer): string | null {
  const type = msg[0];
  if (type === 0x51) return msg.toString('utf8', 5, msg.length - 1);
  if (type !== 0x50) return null;
  const nameEnd = msg.indexOf(0, 5);
  if (nameEnd < 0) return null;
  const textEnd = msg.indexOf(0, nameEnd + 1);
  return msg.toString('utf8', nameEnd + 1, textEnd < 0 ? msg.length : textEnd);
}
