/**
 * Serves the one Postgres backend inside PGlite to several clients at once: this process's
 * own pool (through an in-memory socket, connectInProcess) and, for the service, other
 * processes such as the CLI through a Unix socket (listen). Every client speaks the plain
 * wire protocol and goes through the same handler, so all of them obey one rule, enforced
 * with the backend gate (backend-gate.ts): a client owns the backend from its first message
 * until the backend answers it with ReadyForQuery 'I'. A client that disconnects mid-unit
 * has its unit rolled back; a socket client that holds the backend without sending anything
 * for `holdIdleMs` (a hung CLI inside a transaction) is disconnected, so it cannot stall the
 * service. We do not use @electric-sql/pglite-socket: its queue lets two clients'
 * extended-protocol messages interleave (see backend-gate.ts).
 */
import { chmod, rm } from 'node:fs/promises';
import net from 'node:net';
import { Duplex } from 'node:stream';
import type { PGlite } from '@electric-sql/pglite';
import { gateOf, resetBackend } from './backend-gate.ts';
import {
  CANCEL_REQUEST,
  GSSENC_REQUEST,
  NEGOTIATE_3_0,
  PROTOCOL_3,
  ReadyScanner,
  SSL_REQUEST,
  completeLength,
  errorResponse,
  refusal,
  startupPacket,
} from './wire.ts';

/** Default time a client may hold the backend without sending a message. */
export const HOLD_IDLE_MS = 60_000;

export interface BackendServer {
  /** A stream for pg's `stream` option: an in-process client with the same rules. */
  connectInProcess(): Duplex;
  /** Starts accepting clients on a Unix socket; only the owner's user may connect. */
  listen(socketPath: string): Promise<void>;
  /** Stops listening and disconnects every client; their open units are rolled back. */
  close(): Promise<void>;
}

/** The two ends a client handler needs, whatever carries the bytes. */
interface ClientLink {
  send(bytes: Uint8Array): void;
  /** Ends the connection, after `last` if given. */
  hangUp(last?: Buffer): void;
}

interface ClientHandler {
  receive(chunk: Buffer): void;
  /** The connection is gone; resolves once its unit is rolled back and the gate released. */
  gone(): Promise<void>;
}

export function createBackendServer(pglite: PGlite, options: { holdIdleMs?: number } = {}): BackendServer {
  const holdIdleMs = options.holdIdleMs ?? HOLD_IDLE_MS;
  const clients = new Map<ClientHandler, () => void>();
  let server: net.Server | null = null;
  let socketPath: string | null = null;

  function track(link: ClientLink, disconnect: () => void, holdLimitMs: number | null): ClientHandler {
    const handler = serveClient(pglite, link, holdLimitMs);
    clients.set(handler, disconnect);
    return handler;
  }
  const untrack = (handler: ClientHandler) => handler.gone().finally(() => clients.delete(handler));

  return {
    connectInProcess() {
      const stream = new InProcessSocket(
        (chunk) => handler.receive(chunk),
        () => void untrack(handler),
      );
      // Our own code may keep a transaction open while it works (no hold limit).
      const handler = track({ send: (bytes) => stream.deliver(bytes), hangUp: (last) => stream.hangUp(last) }, () => stream.destroy(), null);
      return stream;
    },

    async listen(path: string) {
      // Left by a crashed service: we hold the lock, so nobody else can be serving it.
      await rm(path, { force: true });
      const candidate = net.createServer((socket) => {
        socket.setNoDelay(true);
        const handler = track(
          {
            send: (bytes) => void (socket.writable && socket.write(bytes)),
            hangUp: (last) => {
              if (last) socket.end(last);
              else socket.end();
              setTimeout(() => socket.destroy(), 1000).unref();
            },
          },
          () => socket.destroy(),
          holdIdleMs,
        );
        socket.on('data', (chunk: Buffer) => handler.receive(chunk));
        socket.on('error', () => {});
        socket.on('close', () => void untrack(handler));
      });
      await new Promise<void>((resolve, reject) => {
        candidate.once('error', reject);
        candidate.listen(path, () => resolve());
      });
      server = candidate;
      socketPath = path;
      // Trust authentication: the socket's permissions are the access control (owner only).
      await chmod(path, 0o600);
    },

    async close() {
      const closed = server ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
      const handlers = [...clients.entries()];
      for (const [, disconnect] of handlers) disconnect();
      await Promise.all(handlers.map(([handler]) => handler.gone()));
      await closed;
      if (socketPath) await rm(socketPath, { force: true });
    },
  };
}

/**
 * One client connection. Messages that arrive together run as one batch (PGlite's loop
 * takes several messages per call), so an extended-protocol query costs one call.
 */
function serveClient(pglite: PGlite, link: ClientLink, holdIdleMs: number | null): ClientHandler {
  const gate = gateOf(pglite);
  const owner = {};
  const scanner = new ReadyScanner();
  let pending: Buffer = Buffer.alloc(0);
  let started = false;
  let closed = false;
  let working: Promise<void> | null = null;
  let holdTimer: NodeJS.Timeout | undefined;
  let finished: Promise<void> | null = null;

  const output = {
    onRawData: (data: Uint8Array) => {
      scanner.feed(data);
      if (!closed) link.send(Buffer.from(data));
    },
  };

  function drop(last?: Buffer): void {
    if (closed) return;
    closed = true;
    link.hangUp(last);
    void gone();
  }

  function kick(): void {
    if (working || closed || completeLength(pending, started) === 0) return;
    working = work()
      .catch((error: unknown) => drop(errorResponse('FATAL', 'XX000', `the embedded database failed: ${(error as Error).message}`)))
      .finally(() => {
        working = null;
        if (holdIdleMs !== null && !closed && gate.holds(owner) && !scanner.endsIdle) {
          holdTimer = setTimeout(
            () => drop(errorResponse('FATAL', '25P03', `terminating connection: it held the embedded database for ${holdIdleMs} ms without sending anything`)),
            holdIdleMs,
          );
          holdTimer.unref();
        }
        kick();
      });
  }

  async function work(): Promise<void> {
    // Let messages written in the same tick (pg writes Parse..Sync one by one) join the batch.
    await null;
    while (!closed) {
      if (!started) {
        if (!(await startup())) return;
        continue;
      }
      const { batch, stop } = takeBatch();
      if (batch.length > 0) await execute(batch);
      if (stop) return drop(stop === 'terminate' ? undefined : stop);
      if (batch.length === 0) return;
    }
  }

  /** The untyped first messages: SSL/GSS requests (refused), cancel requests, startup. */
  async function startup(): Promise<boolean> {
    const length = completeLength(pending, false);
    if (length === 0) return false;
    if (length < 0) {
      drop(errorResponse('FATAL', '08P01', 'invalid startup packet length'));
      return false;
    }
    const code = pending.readInt32BE(4);
    pending = pending.subarray(length);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      link.send(Buffer.from('N'));
      return true;
    }
    // PGlite runs each statement synchronously to the end: there is nothing to cancel.
    if (code === CANCEL_REQUEST) {
      drop();
      return false;
    }
    if (code >>> 16 !== 3) {
      drop(errorResponse('FATAL', '0A000', `unsupported frontend protocol ${code >>> 16}.${code & 0xffff}: the embedded server speaks 3.0`));
      return false;
    }
    if (code !== PROTOCOL_3) link.send(NEGOTIATE_3_0);
    // PGlite answers a startup packet itself (AuthenticationOk, its ParameterStatus set,
    // BackendKeyData, ReadyForQuery) and changes nothing in the session. Under the gate,
    // as it writes to the backend; always the same packet (wire.ts, startupPacket).
    await execute(startupPacket());
    started = true;
    return true;
  }

  /** Every complete message up to a Terminate or one PGlite must not get (wire.ts, refusal). */
  function takeBatch(): { batch: Buffer; stop: 'terminate' | Buffer | null } {
    let end = 0;
    let stop: 'terminate' | Buffer | null = null;
    for (;;) {
      const rest = pending.subarray(end);
      const length = completeLength(rest, true);
      if (length === 0) break;
      if (length < 0) stop = errorResponse('FATAL', '08P01', 'invalid message length');
      else stop = rest[0] === 0x58 ? 'terminate' : refusal(rest.subarray(0, length));
      if (stop) break;
      end += length;
    }
    const batch = pending.subarray(0, end);
    pending = pending.subarray(end);
    return { batch, stop };
  }

  async function execute(batch: Buffer): Promise<void> {
    clearTimeout(holdTimer);
    await gate.acquire(owner);
    if (closed) return;
    await pglite.execProtocolRawStream(batch, output);
    if (scanner.endsIdle) gate.release(owner);
  }

  function gone(): Promise<void> {
    closed = true;
    finished ??= (async () => {
      clearTimeout(holdTimer);
      await working;
      if (!gate.holds(owner)) return;
      if (!scanner.endsIdle) await resetBackend(pglite).catch(() => {});
      gate.release(owner);
    })();
    return finished;
  }

  return {
    receive(chunk) {
      if (closed) return;
      clearTimeout(holdTimer);
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      kick();
    },
    gone,
  };
}

/**
 * The client end of an in-process connection, shaped like the net.Socket pg expects
 * (connect, setNoDelay, setKeepAlive, ref, unref). Writes reach the handler at once,
 * without backpressure: a Duplex pair would pass pg's messages one per tick.
 */
class InProcessSocket extends Duplex {
  readonly #receive: (chunk: Buffer) => void;
  readonly #closed: () => void;

  constructor(receive: (chunk: Buffer) => void, closed: () => void) {
    super({ allowHalfOpen: false });
    this.#receive = receive;
    this.#closed = closed;
    this.once('close', () => this.#closed());
  }

  connect(): this {
    process.nextTick(() => this.emit('connect'));
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  deliver(bytes: Uint8Array): void {
    this.push(bytes);
  }
  hangUp(last?: Buffer): void {
    if (last) this.push(last);
    this.push(null);
    this.end();
  }

  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.#receive(chunk);
    done();
  }
  override _final(done: (error?: Error | null) => void): void {
    done();
  }
}
