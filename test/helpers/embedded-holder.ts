/**
 * A separate process holding an embedded data directory, for the tests of
 * test/integration/embedded-database.test.ts. Run as
 * `node --import tsx test/helpers/embedded-holder.ts <dataDir> <service|command> [lock-only]`.
 *
 * lock-only: takes the directory's lock and nothing else, prints {"locked":true} and waits
 * (to be SIGKILLed: a crashed holder). Otherwise opens the database with that role, prints
 * {"ready":true,"remote":...}, then runs each stdin line as SQL and prints {"rows":[...]}
 * or {"error":"..."}; the line `close` closes the database and exits.
 */
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.ts';
import { tryLock, type EmbeddedRole } from '../../src/db/embedded-lock.ts';

const [dataDir, role, mode] = process.argv.slice(2) as [string, EmbeddedRole, string | undefined];
const say = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

if (mode === 'lock-only') {
  const attempt = tryLock(dataDir, role);
  say({ locked: 'lock' in attempt });
  setInterval(() => {}, 60_000);
} else {
  const database = await openDatabase({ databaseUrl: null, dataDir, role });
  say({ ready: true, remote: database.remote === true });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'close') break;
    try {
      say({ rows: (await sql.raw(line).execute(database.db)).rows });
    } catch (error) {
      say({ error: (error as Error).message });
    }
  }
  await database.close();
}
