import { describe, expect, it } from 'vitest';
import { xmlAttribute, xmlSafe } from '../../../src/render/xml-safe.ts';

describe('xmlSafe', () => {
  it('leaves valid text alone', () => {
    const text = 'Korean 한국어, emoji 🇰🇷, tab\t, newline\n, U+FFFD \ufffd';
    expect(xmlSafe(text)).toBe(text);
  });

  it('removes characters XML 1.0 forbids', () => {
    expect(xmlSafe('a\u0000b\u0001c\u000bd\ufffee\uffff')).toBe('abcde');
  });

  it('removes unpaired surrogates but keeps pairs', () => {
    expect(xmlSafe('x\ud800y\udc00z😀')).toBe('xyz😀');
  });
});

describe('xmlAttribute', () => {
  it('escapes the characters an attribute value cannot hold raw', () => {
    expect(xmlAttribute('a&b<c')).toBe('a&amp;b&lt;c');
  });
});
