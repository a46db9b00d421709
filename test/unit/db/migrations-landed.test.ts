/**
 * Migrations are append-only: a migration that has landed may have run on somebody's
 * database, so changing it splits the world into databases migrated with each version.
 * Every migration file's SHA-256 is recorded: in migrations/landed.json for the first ones
 * (that file is frozen), and in migrations/checksums/<file>.sha256 for each one since, so
 * recording a new migration adds a file and never edits one. A changed file fails here
 * (write a new migration instead), and so does a new file until its checksum is recorded
 * (a migration that has not landed yet may still change with its record).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../migrations/index.ts';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');
const files = readdirSync(dir)
  .filter((f) => /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-.+\.ts$/.test(f))
  .sort();
const checksumDir = path.join(dir, 'checksums');
const landed: Record<string, string> = {
  ...(JSON.parse(readFileSync(path.join(dir, 'landed.json'), 'utf8')) as Record<string, string>),
  ...Object.fromEntries(
    readdirSync(checksumDir)
      .filter((f) => f.endsWith('.sha256'))
      .map((f) => [f.replace(/\.sha256$/, ''), readFileSync(path.join(checksumDir, f), 'utf8').trim()]),
  ),
};
const checksum = (file: string) =>
  createHash('sha256')
    .update(readFileSync(path.join(dir, file)))
    .digest('hex');

describe('migrations/', () => {
  it('leaves every landed migration byte for byte as it landed', () => {
    const changed = Object.keys(landed).filter((file) => !files.includes(file) || checksum(file) !== landed[file]);
    expect(changed, 'landed migrations changed or removed: add a new migration instead of editing one').toEqual([]);
  });

  it('records the checksum of every migration file', () => {
    const unrecorded = files.filter((file) => !(file in landed)).map((file) => `echo ${checksum(file)} > migrations/checksums/${file}.sha256`);
    expect(unrecorded, 'record these checksums (run the commands)').toEqual([]);
  });

  it('runs every migration file, in the order of their names', () => {
    expect(Object.keys(migrations)).toEqual(files.map((f) => f.replace(/\.ts$/, '')));
  });
});
