/**
 * The shared material beside the repository (../shared: corpus, client checks). CI runs
 * on a machine like the development one; TIDINGS_SHARED_DIR overrides the location.
 * A missing directory fails loudly: a test that cannot find its inputs proves nothing.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function sharedDir(): string {
  const candidates = [process.env.TIDINGS_SHARED_DIR, path.resolve(repo, '../shared'), '/work/shared'].filter((d): d is string => Boolean(d));
  const found = candidates.find((dir) => existsSync(path.join(dir, 'ARCHITECTURE.md')));
  if (!found) throw new Error(`shared material not found (looked in ${candidates.join(', ')}); set TIDINGS_SHARED_DIR`);
  return found;
}
