/**
 * The embedded database with several processes on one data directory (src/db/embedded.ts):
 * only one process opens it; a CLI command beside the service works on the service's own
 * database through its Unix socket; clients of that socket never interleave with each other
 * or with the service's own queries. Real data directories in a temp dir, real child
 * processes where another process matters. Embedded only, whatever TEST_DATABASE_URL says.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { readLock } from '../../src/db/embedded-lock.ts';
import { READY_IDLE, cleanups, cstring, int16, int32, rawClient, runCleanups, socketClient, startHolder, wire } from '../helpers/embedded-clients.ts';

let base: string;
let template: string;
let dirs = 0;

beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), 'tidings-embedded-'));
  template = path.join(base, 'template');
  const database = await openDatabase({ databaseUrl: null, dataDir: template });
  await sql`create table probe (id serial primary key, who text not null)`.execute(database.db);
  await database.close();
}, 120_000);
afterEach(runCleanups);
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A data directory of its own for one test: a copy of the initialized template. */
function freshDir(name = 'data'): string {
  const dir = path.join(base, `${name}-${dirs++}`);
  cpSync(template, dir, { recursive: true });
  return dir;
}

async function open(dataDir: string, options: Partial<Parameters<typeof openDatabase>[0]> = {}): Promise<Database> {
  const database = await openDatabase({ databaseUrl: null, dataDir, ...options });
  cleanups.push(() => database.close());
  return database;
}

const whoIn = async (database: Database) => (await sql<{ who: string }>`select who from probe order by id`.execute(database.db)).rows.map((r) => r.who);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('one process per embedded data directory', () => {
  it('refuses a second service at once, naming the running one and the ways out', async () => {
    const dir = freshDir();
    const service = startHolder(dir, 'service');
    expect(await service.next()).toEqual({ ready: true, remote: false });
    await expect(open(dir, { role: 'service' })).rejects.toThrow(
      new RegExp(
        `Another tidings service \\(pid ${service.pid}, started [^)]+\\) already has the embedded database in ${escapeRegExp(dir)} open\\. .*another DATA_DIR.*DATABASE_URL`,
      ),
    );
  });

  it('lets a command beside the service work on the service database, each seeing the other at once', async () => {
    const dir = freshDir();
    const service = await open(dir, { role: 'service' });
    expect(service.socketPath).toBe(path.join(dir, '.s.PGSQL.5432'));
    const command = startHolder(dir, 'command');
    expect(await command.next()).toEqual({ ready: true, remote: true });

    expect(await command.query(`insert into probe (who) values ('command') returning who`)).toEqual({ rows: [{ who: 'command' }] });
    expect(await whoIn(service)).toEqual(['command']);
    await sql`insert into probe (who) values ('service')`.execute(service.db);
    expect(await command.query('select who from probe order by id')).toEqual({ rows: [{ who: 'command' }, { who: 'service' }] });

    await command.close();
    await service.close();
    // Nothing lost and nothing doubled once the directory is opened again.
    expect(await whoIn(await open(dir))).toEqual(['command', 'service']);
  });

  it('takes over the lock of a holder that crashed', async () => {
    const dir = freshDir();
    const crashed = startHolder(dir, 'service', 'lock-only');
    expect(await crashed.next()).toEqual({ locked: true });
    await crashed.kill();
    expect(readLock(dir)?.pid).toBe(crashed.pid);

    const service = await open(dir, { role: 'service' });
    expect(readLock(dir)).toMatchObject({ pid: process.pid, role: 'service', socket: service.socketPath });
    await service.close();
    expect(readLock(dir)).toBeNull();
  });

  it('makes a command wait for another command that has the directory open, then open it itself', async () => {
    const dir = freshDir();
    const first = startHolder(dir, 'command');
    expect(await first.next()).toEqual({ ready: true, remote: false });
    let settled = false;
    const second = open(dir).finally(() => (settled = true));
    await first.query(`insert into probe (who) values ('first')`);
    expect(settled).toBe(false);

    await first.close();
    const database = await second;
    expect(database.remote).toBe(false);
    expect(readLock(dir)).toMatchObject({ pid: process.pid, role: 'command', socket: null });
    expect(await whoIn(database)).toEqual(['first']);
  });

  it('gives up waiting for another command after the wait, naming it', async () => {
    const dir = freshDir();
    const first = startHolder(dir, 'command');
    await first.next();
    await expect(open(dir, { lockWaitMs: 300 })).rejects.toThrow(
      new RegExp(
        `still in use by another tidings command \\(pid ${first.pid}, started [^)]+\\) after 0\\.3 s\\. Let it finish \\(or stop it: kill ${first.pid}\\)`,
      ),
    );
  });

  it('counts a lock written on another host as held and says how to clear it', async () => {
    const dir = freshDir();
    const lock = { pid: 4242, hostname: 'other-host.example', role: 'service', socket: null, startedAt: '2026-01-01T00:00:00.000Z', bootId: null };
    writeFileSync(path.join(dir, 'tidings.lock'), JSON.stringify(lock));
    await expect(open(dir)).rejects.toThrow(
      new RegExp(`locked by a tidings service on host other-host\\.example .*remove ${escapeRegExp(path.join(dir, 'tidings.lock'))}`),
    );
  });

  it('serves from a private socket directory when the data directory path is too long for a socket', async () => {
    const dir = freshDir(`long-${'x'.repeat(100)}`);
    const service = await open(dir, { role: 'service' });
    const socketDir = path.dirname(service.socketPath!);
    expect(socketDir.startsWith(path.join(tmpdir(), 'tidings-socket-'))).toBe(true);
    expect(statSync(socketDir).mode & 0o777).toBe(0o700);
    expect(statSync(service.socketPath!).mode & 0o777).toBe(0o600);
    const command = await open(dir);
    expect(command.remote).toBe(true);
    await sql`insert into probe (who) values ('command')`.execute(command.db);
    expect(await whoIn(service)).toEqual(['command']);
    await command.close();
    await service.close();
    expect(existsSync(socketDir)).toBe(false);
  });

  it('ends socket clients and removes its socket and lock when the service closes', async () => {
    const dir = freshDir();
    const service = await open(dir, { role: 'service' });
    const client = await socketClient(dir);
    const ended = new Promise((resolve) => client.once('end', resolve));
    await service.close();
    await ended;
    expect(existsSync(service.socketPath!)).toBe(false);
    expect(readLock(dir)).toBeNull();
  });
});

describe('clients of the service socket', () => {
  let dir: string;
  let service: Database;
  const serve = async (holdIdleMs?: number) => {
    dir = freshDir();
    service = await open(dir, { role: 'service', holdIdleMs });
  };

  it("keeps a client's transaction whole: the service's own insert waits for it", async () => {
    await serve();
    const client = await socketClient(dir);
    await client.query('begin');
    await client.query(`insert into probe (who) values ('A')`);
    let inserted = false;
    const insertB = sql`insert into probe (who) values ('B')`.execute(service.db).then(() => (inserted = true));
    expect((await client.query('select who from probe')).rows).toEqual([{ who: 'A' }]);
    expect(inserted).toBe(false);
    await client.query('rollback');
    await insertB;
    expect(await whoIn(service)).toEqual(['B']);
  });

  it("keeps a client's extended-protocol exchange whole: the service's own query waits for its Sync", async () => {
    await serve();
    const client = await rawClient(service.socketPath!);
    // Parse and Bind an insert, then Execute it, each sent on its own: no Sync yet.
    client.send(wire('P', cstring(''), cstring('insert into probe (who) values ($1)'), int16(0)));
    client.send(wire('B', cstring(''), cstring(''), int16(0), int16(1), int32(1), Buffer.from('X'), int16(0)));
    await client.until((r) => r.includes(Buffer.from([0x32, 0, 0, 0, 4]))); // BindComplete
    let inserted = false;
    const insertS = sql`insert into probe (who) values ('S')`.execute(service.db).then(() => (inserted = true));
    client.send(wire('E', cstring(''), int32(0)));
    await client.until((r) => r.includes(Buffer.from('INSERT 0 1\0')));
    expect(inserted).toBe(false);
    client.send(wire('S'));
    await client.until((r) => r.includes(READY_IDLE));
    await insertS;
    expect(await whoIn(service)).toEqual(['X', 'S']);
  });

  it('rolls back the transaction of a client that disconnects mid-way, and the service goes on', async () => {
    await serve();
    const client = await socketClient(dir);
    await client.query('begin');
    await client.query(`insert into probe (who) values ('gone')`);
    const ended = new Promise((resolve) => client.once('end', resolve));
    client.connection.stream.destroy();
    await ended;
    await sql`insert into probe (who) values ('after')`.execute(service.db);
    expect(await whoIn(service)).toEqual(['after']);
  });

  it('drops the unsynced insert of a client that disconnects mid-exchange (it would commit on Sync)', async () => {
    await serve();
    const client = await rawClient(service.socketPath!);
    client.send(wire('P', cstring(''), cstring(`insert into probe (who) values ('unsynced')`), int16(0)));
    client.send(wire('B', cstring(''), cstring(''), int16(0), int16(0), int16(0)));
    client.send(wire('E', cstring(''), int32(0)));
    await client.until((r) => r.includes(Buffer.from('INSERT 0 1\0')));
    client.destroy();
    await sql`insert into probe (who) values ('after')`.execute(service.db);
    expect(await whoIn(service)).toEqual(['after']);
  });

  it('disconnects a client that holds the database silent too long, rolling it back', async () => {
    await serve(200);
    const client = await socketClient(dir);
    const dropped = new Promise<Error>((resolve) => client.once('error', resolve));
    // One message, so the client is never silent before it holds the database.
    await client.query(`begin; insert into probe (who) values ('hung')`);
    await sql`insert into probe (who) values ('service')`.execute(service.db);
    expect((await dropped).message).toMatch(/held the embedded database for 200 ms without sending anything/);
    expect(await whoIn(service)).toEqual(['service']);
  });

  it('refuses COPY FROM STDIN, which would stop the embedded database, and the service goes on', async () => {
    await serve();
    const client = await socketClient(dir);
    await expect(client.query('copy probe (who) from stdin')).rejects.toThrow(/COPY FROM STDIN is not supported/);
    await sql`insert into probe (who) values ('after')`.execute(service.db);
    expect(await whoIn(service)).toEqual(['after']);
  });

  it('accepts a startup naming no user and refuses a message PGlite cannot take, and the service goes on', async () => {
    await serve();
    // rawClient's startup names only a database: PGlite's backend would exit on it.
    const client = await rawClient(service.socketPath!);
    expect(client.received().subarray(0, 9)).toEqual(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0])); // AuthenticationOk
    // A password message nobody asked for: PGlite's backend would hang on it.
    client.send(wire('p', cstring('secret')));
    await client.closed;
    expect(client.received().toString('latin1')).toContain('unsupported frontend message type "p"');
    await sql`insert into probe (who) values ('after')`.execute(service.db);
    expect(await whoIn(service)).toEqual(['after']);
  });

  it('gives every client its own results when two socket clients and the service interleave', async () => {
    await serve();
    const pools = ['left', 'right'].map((name) => {
      const pool = new pg.Pool({ host: dir, port: 5432, user: 'postgres', database: 'postgres', max: 3 });
      cleanups.push(() => pool.end());
      return { name, query: (text: string, values: unknown[]) => pool.query(text, values), pool };
    });
    const own = { name: 'own', query: (_text: string, [i, tag]: unknown[]) => sql`select ${i}::int * 2 as doubled, ${tag}::text as tag`.execute(service.db) };
    const jobs: Array<Promise<void>> = [];
    for (let i = 0; i < 60; i++) {
      for (const { name, query } of [...pools, own]) {
        jobs.push(
          (async () => {
            const { rows } = await query('select $1::int * 2 as doubled, $2::text as tag', [i, `${name}-${i}`]);
            expect(rows).toEqual([{ doubled: 2 * i, tag: `${name}-${i}` }]);
          })(),
        );
      }
      jobs.push(
        service.db.transaction().execute(async (trx) => {
          await sql`insert into probe (who) values (${`own-${i}`})`.execute(trx);
          expect((await sql`select count(*)::int as n from probe where who = ${`own-${i}`}`.execute(trx)).rows).toEqual([{ n: 1 }]);
        }),
      );
      for (const { name, pool } of pools) {
        jobs.push(
          (async () => {
            const client = await pool.connect();
            try {
              await client.query('begin');
              await client.query('insert into probe (who) values ($1)', [`${name}-${i}`]);
              const { rows } = await client.query('select count(*)::int as n from probe where who = $1', [`${name}-${i}`]);
              expect(rows).toEqual([{ n: 1 }]);
              await client.query('commit');
            } finally {
              client.release();
            }
          })(),
        );
      }
    }
    await Promise.all(jobs);
    const counts = await sql<{ side: string; n: number }>`select split_part(who, '-', 1) as side, count(*)::int as n from probe group by 1 order by 1`.execute(
      service.db,
    );
    expect(counts.rows).toEqual([
      { side: 'left', n: 60 },
      { side: 'own', n: 60 },
      { side: 'right', n: 60 },
    ]);
  });
});
