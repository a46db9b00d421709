/**
 * All SQL of per-host politeness across instances (polling.perHost, polling.hostSpacing).
 *
 * A host has one `host_gates` row (when its next request may start) and `perHost`
 * `host_slots` rows. Taking slots is one statement, for the requests of any number of
 * hosts: lock the gate rows (when spacing applies), take free or expired slots with
 * FOR UPDATE SKIP LOCKED, lease them to the caller and push the gates' next start time
 * forward; giving them back is one statement too. Leases expire, so the slots of an
 * instance that died free themselves. Times come from the database clock (clock_timestamp),
 * the one clock all instances share.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** The poller's terms for every slot it takes. */
export interface SlotTerms {
  /** The poller taking the slots (its lease owner name). */
  owner: string;
  perHost: number;
  /** Minimum time between two request starts to a host; 0 disables spacing. */
  spacingSeconds: number;
  /** How long a slot is held if never released (its holder died). */
  leaseSeconds: number;
}

export interface SlotRequest {
  host: string;
  /** Names this acquisition; release needs it. */
  leaseId: string;
}

export interface SlotAttempt {
  /** The slot taken, or null when none was free (or spacing forbids a start yet). */
  slot: number | null;
  /** Milliseconds until the host's spacing allows the next start (0: not spacing-bound). */
  spacingWaitMs: number;
  /** False when the host has no rows yet: call ensureHostSlots, then try again. */
  known: boolean;
}

export interface SlotRelease {
  host: string;
  slot: number;
  leaseId: string;
}

/** Creates the host's gate row and slots 0..perHost-1 (idempotent; several instances may race). */
export async function ensureHostSlots(db: Kysely<DB>, host: string, perHost: number): Promise<void> {
  await db
    .insertInto('host_gates')
    .values({ host })
    .onConflict((oc) => oc.column('host').doNothing())
    .execute();
  await db
    .insertInto('host_slots')
    .values(Array.from({ length: perHost }, (_, slot) => ({ host, slot })))
    .onConflict((oc) => oc.columns(['host', 'slot']).doNothing())
    .execute();
}

/**
 * Takes a slot for each request whose host has one free and whose spacing allows a start
 * now, in one statement for any number of requests and hosts; never waits on a lock.
 * Answers one attempt per request, in order. With spacing, one request per host at most
 * starts; the others of that host are told to wait the spacing.
 */
export async function tryAcquireHostSlots(db: Kysely<DB>, terms: SlotTerms, requests: readonly SlotRequest[]): Promise<SlotAttempt[]> {
  if (requests.length === 0) return [];
  const spacing = terms.spacingSeconds;
  const leaseIds = new Map<string, string[]>();
  for (const { host, leaseId } of requests) {
    const ids = leaseIds.get(host);
    if (ids) ids.push(leaseId);
    else leaseIds.set(host, [leaseId]);
  }
  const wanted = JSON.stringify([...leaseIds].map(([host, ids]) => ({ host, lease_ids: ids })));
  // With spacing, the gate row serializes starts to a host (SKIP LOCKED: a poller that
  // finds another one starting right now just tries again shortly). Without it, slots alone
  // decide and the gate row is only read.
  const lockGate = spacing > 0 ? sql`for update of g skip locked` : sql``;
  const result = await sql<{ host: string; taken: Array<{ slot: number; lease_id: string }> | null; spacing_wait_ms: number | null; known: boolean }>`
    with wanted as (
      select w.host, w.lease_ids from jsonb_to_recordset(${wanted}::jsonb) as w(host text, lease_ids text[])
    ), gate as (
      select g.host from host_gates g join wanted w on w.host = g.host
      where g.next_start_at <= clock_timestamp()
      ${lockGate}
    ), free as (
      -- Per host, as many free (or expired) slots as it has requests, one when spacing applies.
      select f.host, f.slot, row_number() over (partition by f.host order by f.slot)::int as rank
      from wanted w cross join lateral (
        select s.host, s.slot from host_slots s
        where s.host = w.host and exists (select 1 from gate where gate.host = w.host)
          and s.slot < ${terms.perHost}
          and (s.owner is null or s.lease_until < clock_timestamp())
        order by s.slot
        limit (case when ${spacing}::double precision > 0 then 1 else cardinality(w.lease_ids) end)
        for update of s skip locked
      ) as f
    ), claimed as (
      update host_slots s
      set owner = ${terms.owner}, lease_id = w.lease_ids[free.rank],
          lease_until = clock_timestamp() + make_interval(secs => ${terms.leaseSeconds}::double precision)
      from free join wanted w on w.host = free.host
      where s.host = free.host and s.slot = free.slot
      returning s.host, s.slot, s.lease_id
    ), advanced as (
      update host_gates g
      set next_start_at = clock_timestamp() + make_interval(secs => ${spacing}::double precision)
      where ${spacing}::double precision > 0 and g.host in (select host from claimed)
      returning g.host
    )
    select w.host,
      (select json_agg(json_build_object('slot', c.slot, 'lease_id', c.lease_id)) from claimed c where c.host = w.host) as taken,
      (select greatest(0, ceil(extract(epoch from g.next_start_at - clock_timestamp()) * 1000))::integer
         from host_gates g where g.host = w.host) as spacing_wait_ms,
      exists (select 1 from host_gates g where g.host = w.host) as known
    from wanted w
  `.execute(db);
  const answers = new Map<string, SlotAttempt>();
  for (const row of result.rows) {
    const taken = row.taken ?? [];
    for (const { slot, lease_id } of taken) answers.set(lease_id, { slot, spacingWaitMs: 0, known: true });
    // Read before this statement moved the gate: a start it granted closes the gate for the spacing.
    const spacingWaitMs = taken.length > 0 && spacing > 0 ? Math.ceil(spacing * 1000) : (row.spacing_wait_ms ?? 0);
    for (const leaseId of leaseIds.get(row.host) ?? []) if (!answers.has(leaseId)) answers.set(leaseId, { slot: null, spacingWaitMs, known: row.known });
  }
  return requests.map((r) => answers.get(r.leaseId)!);
}

/** Gives slots back, in one statement; a no-op for a slot whose lease expired and is held by someone else now. */
export async function releaseHostSlots(db: Kysely<DB>, releases: readonly SlotRelease[]): Promise<void> {
  if (releases.length === 0) return;
  const rows = JSON.stringify(releases.map((r) => ({ host: r.host, slot: r.slot, lease_id: r.leaseId })));
  await sql`
    update host_slots s set owner = null, lease_id = null, lease_until = null
    from jsonb_to_recordset(${rows}::jsonb) as r(host text, slot smallint, lease_id text)
    where s.host = r.host and s.slot = r.slot and s.lease_id = r.lease_id`.execute(db);
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
