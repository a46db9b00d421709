import { describe, expect, it } from 'vitest';
import { ReadyScanner, completeLength, message, refusal } from '../../../src/db/wire.ts';

const ready = (status: string) => Buffer.concat([Buffer.from([0x5a, 0, 0, 0, 5]), Buffer.from(status)]);
// A DataRow whose value ends with the bytes of a ReadyForQuery 'I'.
const trickyRow = Buffer.concat([Buffer.from([0x44, 0, 0, 0, 16, 0, 1, 0, 0, 0, 6]), ready('I')]);

describe('following the backend to the end of a unit', () => {
  it('sees ReadyForQuery I at the end however the output is split', () => {
    const output = Buffer.concat([message('C', 'SELECT 1'), ready('I')]);
    for (let cut = 0; cut <= output.length; cut++) {
      const scanner = new ReadyScanner();
      scanner.feed(output.subarray(0, cut));
      scanner.feed(output.subarray(cut));
      expect(scanner.endsIdle).toBe(true);
    }
  });

  it('does not end inside a transaction, nor on data that looks like ReadyForQuery', () => {
    const inTransaction = new ReadyScanner();
    inTransaction.feed(Buffer.concat([message('C', 'BEGIN'), ready('T')]));
    expect(inTransaction.endsIdle).toBe(false);
    const row = new ReadyScanner();
    row.feed(trickyRow);
    expect(row.endsIdle).toBe(false);
  });
});

describe('framing client messages', () => {
  it('measures complete typed and startup messages, and waits for the rest', () => {
    const sync = message('S');
    expect(completeLength(sync, true)).toBe(5);
    expect(completeLength(sync.subarray(0, 3), true)).toBe(0);
    expect(completeLength(Buffer.from([0x53, 0, 0, 0, 1]), true)).toBe(-1);
    const startup = Buffer.from([0, 0, 0, 8, 4, 0xd2, 0x16, 0x2f]);
    expect(completeLength(startup, false)).toBe(8);
  });

  it('refuses message types and COPY FROM STDIN that would stop PGlite, and lets the rest through', () => {
    expect(refusal(message('p', 'secret'))?.toString('latin1')).toContain('unsupported frontend message type "p"');
    expect(refusal(message('Q', 'COPY items (title)\nFROM stdin'))?.toString('latin1')).toContain('COPY FROM STDIN is not supported');
    expect(refusal(message('P', '', 'copy probe from STDIN', ''))).not.toBeNull();
    expect(refusal(message('Q', "select 'stdin' as copy"))).toBeNull();
    expect(refusal(message('Q', 'copy probe to stdout'))).toBeNull();
    expect(refusal(message('S'))).toBeNull();
  });
});
