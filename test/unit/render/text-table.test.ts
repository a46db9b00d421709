import { describe, expect, it } from 'vitest';
import { formatTable, relativeTime } from '../../../src/render/text-table.ts';

describe('formatTable', () => {
  it('pads columns to their widest cell and shows missing values as -', () => {
    const rows = [
      { id: 1, url: 'https://a.example/feed', error: null },
      { id: 22, url: 'https://b.example/', error: 'timeout' },
    ];
    const table = formatTable(rows, [
      { header: 'ID', value: (r) => r.id },
      { header: 'URL', value: (r) => r.url },
      { header: 'ERROR', value: (r) => r.error },
    ]);
    expect(table.split('\n')).toEqual(['ID  URL                     ERROR', '1   https://a.example/feed  -', '22  https://b.example/      timeout']);
  });

  it('cuts long cells with an ellipsis', () => {
    expect(formatTable([{ v: 'abcdefghij' }], [{ header: 'V', value: (r) => r.v, maxWidth: 5 }])).toBe('V\nabcd…');
  });
});

describe('relativeTime', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  it('describes past and future times compactly', () => {
    expect(relativeTime(new Date('2026-11-24T11:57:00Z'), now)).toBe('3m ago');
    expect(relativeTime(new Date('2026-11-24T14:00:00Z'), now)).toBe('in 2h');
    expect(relativeTime(null, now)).toBeNull();
  });

  it('says now for the present moment, and never "60m"', () => {
    expect(relativeTime(new Date('2026-11-24T12:00:00.300Z'), now)).toBe('now');
    expect(relativeTime(new Date('2026-11-24T12:59:40Z'), now)).toBe('in 1h');
    expect(relativeTime(new Date('2026-11-24T11:01:00Z'), now)).toBe('59m ago');
  });
});
