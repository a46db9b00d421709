// Part of `npm run lint`: no source file over 400 lines (CONTRIBUTING.md: aim for 300).
// A file that grows past that holds several concerns; split it by concern.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const LIMIT = 400;
const ROOTS = ['src', 'jobs'];

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(file);
    else if (/\.(ts|mjs)$/.test(entry.name)) yield file;
  }
}

const tooLong = ROOTS.flatMap((root) => [...sourceFiles(root)])
  .map((file) => ({ file, lines: readFileSync(file, 'utf8').split('\n').length }))
  .filter(({ lines }) => lines > LIMIT);
for (const { file, lines } of tooLong) console.error(`${file}: ${lines} lines (limit ${LIMIT}); split it by concern`);
process.exitCode = tooLong.length > 0 ? 1 : 0;
