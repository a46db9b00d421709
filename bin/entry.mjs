// Where the service's code is loaded from. `npm run build` compiles it to dist/; when that
// build is current (newer than every source file), Tidings runs it as plain JavaScript:
// no TypeScript loader in the process or in its worker threads (~100 MB less memory,
// faster start). Otherwise (a checkout nobody built, or sources edited since) it runs the
// TypeScript sources through tsx, so a checkout always works after `npm ci` alone.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Written by `npm run build` after tsc (whose incremental .tsbuildinfo is not rewritten when
// no source changed in content, e.g. after a git checkout that only touched mtimes).
const BUILD_STAMP = `${root}dist/.built`;
const SOURCES = ['src', 'jobs', 'migrations'];

function newestSourceMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest; // an image that ships dist/ only
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** True when dist/ holds a build of the current sources. */
export function compiledIsCurrent() {
  if (process.env.TIDINGS_FROM_SOURCE === '1' || !existsSync(BUILD_STAMP)) return false;
  const built = statSync(BUILD_STAMP).mtimeMs;
  return SOURCES.every((dir) => newestSourceMtime(`${root}${dir}`) <= built) && statSync(`${root}package.json`).mtimeMs <= built;
}

/** Imports a module of the service by its source path, e.g. 'src/cli.ts'. */
export async function importService(sourcePath) {
  if (compiledIsCurrent()) return import(`${root}dist/${sourcePath.replace(/\.ts$/, '.js')}`);
  const { register } = await import('tsx/esm/api');
  register();
  return import(`${root}${sourcePath}`);
}
