/**
 * All SQL of per-host politeness across instances (polling.perHost, polling.hostSpacing).
 *
 * A host has one `host_gates` row (when its next request may start) and `perHost`
 * `host_slots` rows. Taking a slot is one statement: lock the gate row (when spacing
 * applies), take a free or expired slot with FOR UPDATE SKIP LOCKED, lease it to the
 * caller and push the gate's next start time forward. Leases expire, so the slots of an
 * instance that died free themselves. Times come from the database clock (clock_timestamp),
 * the one clock all instances share.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export interface SlotClaim {
  host: string;
  /** The poller taking the slot (its lease owner name). */
  owner: string;
  /** Names this acquisition; release needs it. */
  leaseId: string;
  perHost: number;
  /** Minimum time between two request starts to the host; 0 disables spacing. */
  spacingSeconds: number;
  /** How long the slot is held if never released (its holder died). */
  leaseSeconds: number;
}

export interface SlotAttempt {
  /** The slot taken, or null when none was free (or spacing forbids a start yet). */
  slot: number | null;
  /** Milliseconds until the host's spacing allows the next start (0: not spacing-bound). */
  spacingWaitMs: number;
  /** False when the host has no rows yet: call ensureHostSlots, then try again. */
  known: boolean;
}

/** Creates the host's gate row and slots 0..perHost-1 (idempotent; several instances may race). */
export async function ensureHostSlots(db: Kysely<DB>, host: string, perHost: number): Promise<void> {
  await db.insertInto('host_gates').values({ host }).onConflict((oc) => oc.column('host').doNothing()).execute();
  await db
    .insertInto('host_slots')
    .values(Array.from({ length: perHost }, (_, slot) => ({ host, slot })))
    .onConflict((oc) => oc.columns(['host', 'slot']).doNothing())
    .execute();
}

/** Takes one slot of the host if one is free and spacing allows a start now; never waits on a lock. */
export async function tryAcquireHostSlot(db: Kysely<DB>, claim: SlotClaim): Promise<SlotAttempt> {
  const spacing = claim.spacingSeconds;
  // With spacing, the gate row serializes starts to the host (SKIP LOCKED: a poller that
  // finds another one starting right now just tries again shortly). Without it, slots alone
  // decide and the gate row is only read.
  const lockGate = spacing > 0 ? sql`for update skip locked` : sql``;
  const result = await sql<{ slot: number | null; spacing_wait_ms: number | null; known: boolean }>`
    with gate as (
      select host from host_gates
      where host = ${claim.host} and next_start_at <= clock_timestamp()
      ${lockGate}
    ), free as (
      select s.host, s.slot from host_slots s
      where s.host = ${claim.host} and exists (select 1 from gate)
        and s.slot < ${claim.perHost}
        and (s.owner is null or s.lease_until < clock_timestamp())
      order by s.slot
      limit 1
      for update of s skip locked
    ), claimed as (
      update host_slots s
      set owner = ${claim.owner}, lease_id = ${claim.leaseId},
          lease_until = clock_timestamp() + make_interval(secs => ${claim.leaseSeconds}::double precision)
      from free
      where s.host = free.host and s.slot = free.slot
      returning s.slot
    ), advanced as (
      update host_gates g
      set next_start_at = clock_timestamp() + make_interval(secs => ${spacing}::double precision)
      where g.host = ${claim.host} and ${spacing}::double precision > 0 and exists (select 1 from claimed)
      returning g.host
    )
    select
      (select slot from claimed) as slot,
      (select greatest(0, ceil(extract(epoch from next_start_at - clock_timestamp()) * 1000))::integer
         from host_gates where host = ${claim.host}) as spacing_wait_ms,
      exists (select 1 from host_gates where host = ${claim.host}) as known
  `.execute(db);
  const row = result.rows[0]!;
  return { slot: row.slot, spacingWaitMs: row.spacing_wait_ms ?? 0, known: row.known };
}

/** Gives a slot back; a no-op when its lease expired and someone else holds it now. */
export async function releaseHostSlot(db: Kysely<DB>, host: string, slot: number, leaseId: string): Promise<void> {
  await db
    .updateTable('host_slots')
    .set({ owner: null, lease_id: null, lease_until: null })
    .where('host', '=', host)
    .where('slot', '=', slot)
    .where('lease_id', '=', leaseId)
    .execute();
}

export interface HostSlotHolder {
  host: string;
  slot: number;
  owner: string;
  leaseUntil: Date;
  expired: boolean;
}

/** The slots currently leased (expired leases included, flagged): for operators and tests. */
export async function hostSlotHolders(db: Kysely<DB>): Promise<HostSlotHolder[]> {
  const rows = await db
    .selectFrom('host_slots')
    .select(['host', 'slot', 'owner', 'lease_until', sql<boolean>`lease_until < clock_timestamp()`.as('expired')])
    .where('owner', 'is not', null)
    .orderBy('host')
    .orderBy('slot')
    .execute();
  return rows.map((r) => ({ host: r.host, slot: r.slot, owner: r.owner!, leaseUntil: r.lease_until!, expired: r.expired }));
}
