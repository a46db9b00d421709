import { sql, type Kysely } from 'kysely';

/**
 * Per-host politeness shared by every instance on one Postgres (src/store/host-politeness.ts):
 * `host_gates` holds, per host name, the earliest time the next request may start
 * (polling.hostSpacing); `host_slots` holds up to polling.perHost leases per host, each with
 * its owner and an expiry, so a crashed instance's slots free themselves.
 *
 * Unlogged: leases are short-lived and every poll writes them twice, so they skip the WAL
 * (and the commit flush). A database crash empties them, which only frees the slots early.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create unlogged table host_gates (
      host text primary key,
      next_start_at timestamptz not null default 'epoch'
    )`.execute(db);
  await sql`
    create unlogged table host_slots (
      host text not null references host_gates (host) on delete cascade,
      slot smallint not null check (slot >= 0),
      owner text,
      lease_id text,
      lease_until timestamptz,
      primary key (host, slot)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table host_slots`.execute(db);
  await sql`drop table host_gates`.execute(db);
}
