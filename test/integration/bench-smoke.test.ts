/**
 * `npm run bench` at a tiny size, so it cannot rot: every stage runs (child processes,
 * cold/warm/changed cycles and their CPU, the peer, serving under load, scale figures) and
 * the results file holds every figure. No timing is asserted (performance is the bench's
 * own output); what is asserted is what the run must get right whatever the machine: every
 * served item stored, an all-304 cycle writing no rows, a changed cycle writing exactly its
 * changes, the peer parsing every served item.
 * On PostgreSQL when TEST_DATABASE_URL is set (the bench creates and drops its own database
 * on that server), on the embedded database otherwise.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../../bench/results.ts';

const outDir = mkdtempSync(path.join(tmpdir(), 'tidings-bench-smoke-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('npm run bench at a tiny size', () => {
  it('runs every stage and writes every figure', async () => {
    const out = path.join(outDir, 'latest.json');
    const args = [
      '--import',
      'tsx',
      'bench/run.ts',
      '--feeds',
      '4',
      '--scale-items',
      '300',
      '--hostile-kb',
      '40',
      '--serve-seconds',
      '1',
      '--connections',
      '4',
      '--out',
      out,
      '--peers',
      '--idle-settle-seconds',
      '1',
    ];
    const env = { ...process.env, BENCH_DATABASE_URL: process.env.TEST_DATABASE_URL ?? '' };
    const { stdout } = await promisify(execFile)(process.execPath, args, { env, timeout: 270_000, maxBuffer: 16 * 1024 * 1024 });
    expect(stdout).toMatch(/Results written to/);

    const results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults;
    expect(results.feeds).toBe(4);
    expect(results.database).toBe(process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite');
    const figure = (prefix: string) => {
      const found = results.figures.find((f) => f.name.startsWith(prefix));
      if (!found) throw new Error(`no figure "${prefix}…" in ${results.figures.map((f) => f.name).join(' | ')}`);
      return found;
    };
    for (const f of results.figures) expect(Number.isFinite(f.value), f.name).toBe(true);

    expect(figure('items stored').value).toBe(results.items);
    expect(figure('warm cycle').name).toContain('4 of 4 answered 304');
    expect(figure('item rows written by the warm cycle').value).toBe(0);
    // Every 10th feed changes: feed 0 of 4, one new and one corrected item.
    expect(figure('cycle with 10% of feeds changed').name).toContain('(1 feeds)');
    expect(figure('item rows written by that cycle').value).toBe(2);
    expect(figure('rss-feed-emitter: items in its initial loads').value).toBe(results.items);
    expect(figure('idle RSS of `npm start`').value).toBeGreaterThan(0);
    const pure = [
      'textSignature: 90 KB / 3 KB',
      'parseFeed on unclosed elements: 40 KB / 10 KB',
      'parseFeed on nested text constructs',
      'parseOpml on an unclosed tag',
    ];
    for (const prefix of [
      'cold cycle / baseline',
      'peak RSS',
      '200 (',
      '304 ',
      '200 gzip',
      'regenerating the topic feed',
      'story look-up and assignment per new item',
      '10%-changed cycle / its baseline',
      'warm cycle CPU',
      '10%-changed cycle CPU',
      'CPU-seconds per hour polling 4 feeds every 10 minutes',
      'rss-feed-emitter: every feed fetched and parsed once',
      'rss-feed-emitter: its time / Tidings cold cycle',
      ...pure,
    ]) {
      expect(figure(prefix).value).toBeGreaterThan(0);
    }
    // Every target figure says whether it was met.
    for (const f of results.figures.filter((f) => f.target !== undefined)) expect(typeof f.met, f.name).toBe('boolean');
  }, 300_000);
});
