/**
 * The benchmark's helpers run in child processes (the fixture feed server, the ingest
 * baseline), so the Tidings process measured in bench/run.ts holds only Tidings: its peak
 * RSS and CPU are its own, and the baseline gets a fresh process just as Tidings does.
 * A tiny request/reply protocol over the IPC channel.
 */
import { fork, type ChildProcess } from 'node:child_process';

interface Request {
  id: number;
  call: string;
  args: unknown[];
}
type Reply = { id: number; result: unknown } | { id: number; error: string };

export interface Child {
  call<T>(name: string, ...args: unknown[]): Promise<T>;
  close(): Promise<void>;
}

/** Starts `modulePath` (compiled .js, or a .ts file through tsx) as a child process and waits for its handlers. */
export async function startChild(modulePath: string): Promise<Child> {
  const execArgv = modulePath.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child: ChildProcess = fork(modulePath, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  child.on('message', (message: Reply | 'ready') => {
    if (message === 'ready') return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if ('error' in message) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.result);
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${modulePath} exited (${code})`));
    pending.clear();
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (message) => (message === 'ready' ? resolve() : reject(new Error(`unexpected first message from ${modulePath}`))));
    child.once('exit', (code) => reject(new Error(`${modulePath} exited (${code}) before it was ready`)));
  });
  return {
    call: <T>(name: string, ...args: unknown[]) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, call: name, args } satisfies Request);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** In the child: answers the parent's calls with `handlers`, then tells it it is ready. */
export function serveParent(handlers: Record<string, (...args: never[]) => unknown>): void {
  process.on('message', (message: Request) => {
    const handler = handlers[message.call];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no handler ${message.call}`);
        return (handler as (...args: unknown[]) => unknown)(...message.args);
      })
      .then(
        (result) => process.send!({ id: message.id, result } satisfies Reply),
        (error: unknown) => process.send!({ id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies Reply),
      );
  });
  // The parent going away ends the child (no orphaned servers after an interrupted run).
  process.on('disconnect', () => process.exit(0));
  process.send!('ready');
}
