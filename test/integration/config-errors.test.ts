/**
 * A broken feeds.config.json as an operator meets it: the `tidings` bin in a child process
 * (compiled when the build is current, else through tsx, as bin/ decides) prints the problems
 * on stderr, with no stack trace, and exits 1 before touching any database.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(tmpdir(), 'tidings-config-errors-'));
// Starting the bin through tsx takes seconds on a busy machine.
const CHILD_TIMEOUT_MS = 90_000;

function tidings(configText: string, ...argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = path.join(dir, 'feeds.config.json');
  writeFileSync(file, configText);
  const env = { PATH: process.env.PATH, FEEDS_CONFIG: file, DATA_DIR: path.join(dir, 'data') };
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/tidings.mjs', ...argv], { env }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

describe('a broken feeds.config.json', () => {
  it(
    'stops `tidings serve` with every problem on stderr and no stack trace',
    async () => {
      const config = { sources: [{ url: 'htp://bad' }, { url: 'https://example.com/feed', topic: ['korea'] }], polling: { concurrency: 0 } };
      const { code, stdout, stderr } = await tidings(JSON.stringify(config, null, 2), 'serve');
      const file = path.join(dir, 'feeds.config.json');
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr.trimEnd().split('\n')).toEqual([
        `tidings: ${file}: sources[0].url: "htp://bad" must be an http(s) URL`,
        `${file}: sources[1] (https://example.com/feed): unknown field "topic"; did you mean "topics"?`,
        `${file}: polling.concurrency: 0 must be at least 1`,
        '(3 problems: fix the file and run again; README § Configuration describes every field)',
      ]);
      expect(existsSync(path.join(dir, 'data'))).toBe(false);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'stops a CLI command at a JSON syntax error with its line and column',
    async () => {
      const { code, stderr } = await tidings('{\n  "sources": [\n    { "url": "https://a.example/" },\n  ]\n}\n', 'sources', 'list');
      expect(code).toBe(1);
      expect(stderr).toBe(
        `tidings: ${path.join(dir, 'feeds.config.json')}:3:36: not valid JSON: a trailing comma before ']' is not allowed in JSON\n` +
          '  3 |     { "url": "https://a.example/" },\n' +
          '    |                                    ^\n',
      );
    },
    CHILD_TIMEOUT_MS,
  );
});
