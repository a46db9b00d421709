import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { chooseLogFormat, createLogger, type LoggerOptions } from '../../src/logger.ts';

/** Logs one poll line and one warning through a logger on a collecting stream; returns the text written. */
function logSample(options: LoggerOptions): string {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const log = createLogger('info', { ...options, stream });
  log.info({ sourceId: 7, url: 'https://wire.example/feed', outcome: 'stored', newItems: 3 }, 'poll finished');
  log.warn('feed cache sync failed');
  log.debug('not shown at info');
  // The pretty stream writes synchronously: nothing is left pending when the call returns.
  return chunks.join('').replace(/\u001b\[\d+m/g, '');
}

describe('chooseLogFormat', () => {
  it('picks pretty lines at a terminal and JSON lines elsewhere', () => {
    expect(chooseLogFormat(null, true)).toBe('pretty');
    expect(chooseLogFormat(null, false)).toBe('json');
  });

  it('lets LOG_FORMAT override the terminal test either way', () => {
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });
});

describe('createLogger', () => {
  it('writes human lines at a terminal: time, level name, message and the fields', () => {
    const text = logSample({ isTerminal: true });
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO: poll finished /);
    expect(lines[0]).toContain('"sourceId":7');
    expect(lines[0]).toContain('"url":"https://wire.example/feed"');
    expect(lines[1]).toMatch(/\] WARN: feed cache sync failed/);
    expect(text).not.toContain('{"level":');
    expect(text).not.toContain('"service"');
  });

  it('writes JSON lines that parse when the output is not a terminal', () => {
    const records = logSample({ isTerminal: false })
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records).toMatchObject([
      { level: 30, msg: 'poll finished', sourceId: 7, outcome: 'stored', service: 'tidings' },
      { level: 40, msg: 'feed cache sync failed' },
    ]);
    expect(typeof records[0].time).toBe('number');
  });

  it('writes JSON at a terminal when LOG_FORMAT=json', () => {
    const format = readEnv({ LOG_FORMAT: 'json' }).logFormat;
    const [first] = logSample({ isTerminal: true, format }).split('\n');
    expect(JSON.parse(first!)).toMatchObject({ msg: 'poll finished' });
  });

  it('writes pretty lines to a pipe when LOG_FORMAT=pretty', () => {
    const format = readEnv({ LOG_FORMAT: 'Pretty' }).logFormat;
    expect(logSample({ isTerminal: false, format })).toMatch(/\] INFO: poll finished /);
  });
});

describe('LOG_FORMAT', () => {
  it('is unset by default: the terminal decides', () => {
    expect(readEnv({}).logFormat).toBeNull();
    expect(readEnv({ LOG_FORMAT: ' ' }).logFormat).toBeNull();
  });

  it('refuses another value, naming the variable, the value and the choices', () => {
    expect(() => readEnv({ LOG_FORMAT: 'yaml' })).toThrow('LOG_FORMAT: must be one of json, pretty (unset: pretty at a terminal, JSON otherwise), got "yaml"');
  });
});
