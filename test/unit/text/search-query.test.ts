import { describe, expect, it } from 'vitest';
import { compileSearchQuery, MAX_QUERY_CHARS, MAX_QUERY_TERMS, parseSearchQuery, SearchQueryError } from '../../../src/text/search-query.ts';
import { phraseTokens, searchTokens } from '../../../src/text/search-tokens.ts';

const fields = (title: string, contentText = '') => ({ title, summary: '', categories: [], contentText });
const matches = (q: string, title: string, contentText = '') => compileSearchQuery(parseSearchQuery(q))(fields(title, contentText));

describe('parseSearchQuery', () => {
  it('splits words on whitespace and keeps a quoted phrase whole', () => {
    expect(parseSearchQuery('  missile  "kim jong un" 북한 ').terms).toEqual(['missile', 'kim jong un', '북한']);
  });

  it('spells the query canonically: single spaces, phrases quoted, repeats dropped', () => {
    expect(parseSearchQuery('Missile   “kim  jong un”  Missile').text).toBe('Missile "kim jong un"');
  });

  it('refuses an empty query', () => {
    expect(() => parseSearchQuery('   ')).toThrow(SearchQueryError);
  });

  it('refuses a query over the length cap', () => {
    expect(() => parseSearchQuery('a'.repeat(MAX_QUERY_CHARS + 1))).toThrow(/longer than/);
  });

  it('refuses a query over the word cap', () => {
    expect(() => parseSearchQuery(Array.from({ length: MAX_QUERY_TERMS + 1 }, (_, i) => `w${i}`).join(' '))).toThrow(/more than/);
  });

  it('refuses a query with nothing but punctuation', () => {
    expect(() => parseSearchQuery('!!! "--"')).toThrow(/no letters or digits/);
  });

  it('runs an unclosed quote to the end', () => {
    expect(parseSearchQuery('seoul "north korea').terms).toEqual(['seoul', 'north korea']);
  });
});

describe('search matching', () => {
  it('matches Latin words on word boundaries, case-insensitively', () => {
    expect(matches('seoul', 'SEOUL talks')).toBe(true);
    expect(matches('seoul', 'Seoulful cooking')).toBe(false);
  });

  it('matches Korean as substrings (particles attach to words)', () => {
    expect(matches('북한', '북한의 미사일 발사')).toBe(true);
    expect(matches('북한의', '북한 미사일')).toBe(false);
  });

  it('needs every word', () => {
    expect(matches('seoul missile', 'Seoul says missile launched')).toBe(true);
    expect(matches('seoul missile', 'Seoul talks resume')).toBe(false);
  });

  it('matches a quoted phrase only in its order', () => {
    expect(matches('"north korea"', 'North Korea fires', '')).toBe(true);
    expect(matches('"north korea"', 'Korea north of the river')).toBe(false);
  });

  it('treats hyphens in a word as rules do', () => {
    expect(matches('kim-jong-un', 'Kim Jong Un inspects a factory')).toBe(true);
  });

  it('looks in the content text too', () => {
    expect(matches('dmz', 'Border news', 'Soldiers at the DMZ')).toBe(true);
  });
});

describe('search tokens', () => {
  it('indexes Latin words whole and Korean by characters and pairs', () => {
    expect(new Set(searchTokens(fields('North 북한의')))).toEqual(new Set(['north', '북', '북한', '한', '한의', '의']));
  });

  it('gives no word token to Latin letters glued to Hangul (no word boundary there)', () => {
    expect(new Set(searchTokens(fields('k팝 star')))).toEqual(new Set(['팝', 'star']));
  });

  it('gives a phrase tokens every text it matches holds', () => {
    const texts = ['Kim Jong-un visits the DMZ', '北朝鮮はミサイルを発射', '북한의 미사일, 서울에서', 'U.S. and ＤＭＺ', 'k팝스타 in Seoul-based labels'];
    const phrases = ['kim jong un', 'dmz', '北朝鮮', 'ミサイル', '북한', '미사일 서울', 'u.s.', '팝스', 'seoul', 'k팝'];
    for (const text of texts) {
      const tokens = new Set(searchTokens(fields(text)));
      for (const phrase of phrases) {
        if (matches(`"${phrase}"`, text))
          expect(
            phraseTokens(phrase).every((t) => tokens.has(t)),
            `${phrase} in ${text}`,
          ).toBe(true);
      }
    }
  });
});
