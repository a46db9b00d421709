/**
 * Exclusive use of the one Postgres backend inside a PGlite instance.
 *
 * PGlite is a single backend: every client (this process's own pool and every socket
 * client of embedded-server.ts) feeds its protocol messages into the same session. A
 * client must therefore own the backend from its first message until the backend answers
 * it with ReadyForQuery 'I' (idle): that keeps one client's transaction ('T'/'E') and its
 * extended-protocol exchange (Parse/Bind/Describe/Execute, whose ReadyForQuery only comes
 * after Sync) whole. Neither PGlite's node-postgres adapter (no lock at all) nor
 * @electric-sql/pglite-socket (its queue keeps explicit transactions together but lets two
 * clients' Parse/Bind/Execute interleave) gives that, hence this gate.
 *
 * Everything that talks to the backend while the Database is open goes through the gate;
 * PGlite's own query()/exec() would bypass it.
 */
import type { PGlite } from '@electric-sql/pglite';
import { message, simpleQuery, SYNC } from './wire.ts';

/** A FIFO mutex with a named owner: the client that is in the middle of a unit. */
export class BackendGate {
  #owner: object | null = null;
  readonly #waiting: Array<{ owner: object; granted: () => void }> = [];

  /** Resolves once `owner` holds the gate (at once when it is free). */
  acquire(owner: object): Promise<void> {
    if (this.#owner === owner) return Promise.resolve();
    if (this.#owner === null) {
      this.#owner = owner;
      return Promise.resolve();
    }
    return new Promise((granted) => this.#waiting.push({ owner, granted }));
  }

  /**
   * Hands the gate to the next waiter; a no-op for anyone but the holder. A waiter whose
   * client went away still gets its turn and passes it on at once (embedded-server.ts).
   */
  release(owner: object): void {
    if (this.#owner !== owner) return;
    const next = this.#waiting.shift();
    this.#owner = next?.owner ?? null;
    next?.granted();
  }

  holds(owner: object): boolean {
    return this.#owner === owner;
  }
}

const gates = new WeakMap<PGlite, BackendGate>();

/** The gate of one PGlite instance: every consumer of that instance shares it. */
export function gateOf(pglite: PGlite): BackendGate {
  let gate = gates.get(pglite);
  if (!gate) {
    gate = new BackendGate();
    gates.set(pglite, gate);
  }
  return gate;
}

/**
 * Ends whatever a client that vanished mid-unit left in the backend, so the next client
 * starts clean; call it while holding the gate for that client. In order: CopyFail ends a
 * COPY FROM STDIN (outside COPY the backend ignores it); a simple-query ROLLBACK ends an
 * explicit transaction and, in an extended-protocol exchange not yet synced, aborts its
 * implicit transaction (it would commit on Sync); Sync ends an extended exchange (also one
 * skipping messages after an error). A transaction still open after that (one that failed
 * while skipping to Sync) gets a last ROLLBACK. Output is discarded; nobody is listening.
 */
export async function resetBackend(pglite: PGlite): Promise<void> {
  if (pglite.closed) return;
  const discard = { onRawData: () => {} };
  const reset = Buffer.concat([message('f', 'client disconnected'), simpleQuery('ROLLBACK'), SYNC]);
  await pglite.execProtocolRawStream(reset, discard);
  if (pglite.isInTransaction()) await pglite.execProtocolRawStream(simpleQuery('ROLLBACK'), discard);
}
