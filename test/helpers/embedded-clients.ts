/**
 * Other clients of an embedded data directory, for test/integration/embedded-database.test.ts:
 * another process holding it (test/helpers/embedded-holder.ts) and a raw-protocol client of
 * the service's socket, for the messages pg never sends on their own. Whatever they open is
 * registered in `cleanups`; the test file runs them after each test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const cleanups: Array<() => Promise<unknown>> = [];

export async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
}

/** A pg client on the socket of the service serving `dataDir`. */
export async function socketClient(dataDir: string): Promise<pg.Client> {
  const client = new pg.Client({ host: dataDir, port: 5432, user: 'postgres', database: 'postgres' });
  client.on('error', () => {});
  await client.connect();
  cleanups.push(() => client.end());
  return client;
}

export interface Holder {
  pid: number;
  /** The next line the holder prints, parsed. */
  next(): Promise<Record<string, unknown>>;
  query(text: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
  kill(): Promise<void>;
}

/** Another process holding `dataDir` (test/helpers/embedded-holder.ts). */
export function startHolder(dataDir: string, role: 'service' | 'command', mode?: 'lock-only'): Holder {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/embedded-holder.ts', dataDir, role, ...(mode ? [mode] : [])], {
    cwd: repo,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => (waiting.length > 0 ? waiting.shift()!(line) : lines.push(line)));
  const next = () =>
    new Promise<Record<string, unknown>>((resolve) =>
      lines.length > 0 ? resolve(JSON.parse(lines.shift()!)) : waiting.push((line) => resolve(JSON.parse(line))),
    );
  const holder: Holder = {
    pid: child.pid!,
    next,
    query: (text) => {
      child.stdin!.write(`${text}\n`);
      return next();
    },
    close: async () => {
      child.stdin!.end('close\n');
      await exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
  cleanups.push(() => holder.kill());
  return holder;
}

// Raw protocol messages, for what pg never sends (or sends only together).
export const int16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
export const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
export const cstring = (text: string) => Buffer.from(`${text}\0`);
export const wire = (type: string, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
};
export const READY_IDLE = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]);

/** A client on the socket that speaks raw protocol: started up (no user named), idle. */
export async function rawClient(socketPath: string) {
  const socket = net.connect(socketPath);
  cleanups.push(async () => socket.destroy());
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  await new Promise((resolve) => socket.once('connect', resolve));
  const body = Buffer.concat([cstring('database'), cstring('postgres'), Buffer.from([0])]);
  socket.write(Buffer.concat([int32(8 + body.length), int32(196608), body]));
  const client = {
    closed,
    received: () => received,
    send: (bytes: Buffer) => socket.write(bytes),
    destroy: () => socket.destroy(),
    async until(condition: (received: Buffer) => boolean) {
      while (!condition(received)) await new Promise((resolve) => setTimeout(resolve, 10));
    },
  };
  await client.until((r) => r.includes(READY_IDLE));
  return client;
}
