import { describe, expect, it } from 'vitest';
import { classify, compileTopics, explainTopics, type ClassifiableText } from '../../../src/ingest/classify.ts';

const topics = compileTopics([
  { slug: 'korea', include: ['north korea', 'kim jong un', 'dmz', 'seoul', '북한', '한국'], exclude: ['seoul food festival'] },
  { slug: 'japan', include: ['tokyo', '北朝鮮'], exclude: [] },
]);
const text = (overrides: Partial<ClassifiableText>): ClassifiableText => ({ title: '', summary: '', categories: [], contentText: '', ...overrides });

describe('classify', () => {
  it('matches include phrases case-insensitively in the title', () => {
    expect(classify(text({ title: 'NORTH KOREA fires missile' }), [], topics)).toEqual(['korea']);
  });

  it('looks in summary, categories and content text too', () => {
    expect(classify(text({ summary: 'Talks in Seoul.' }), [], topics)).toEqual(['korea']);
    expect(classify(text({ categories: ['DMZ'] }), [], topics)).toEqual(['korea']);
    expect(classify(text({ contentText: 'Officials said North Korea…' }), [], topics)).toEqual(['korea']);
  });

  it('respects word boundaries in spaced scripts', () => {
    expect(classify(text({ title: 'The dmzone nightclub reopens' }), [], topics)).toEqual([]);
    expect(classify(text({ title: 'Seoulful cooking' }), [], topics)).toEqual([]);
    expect(classify(text({ title: 'Seoul-based startup' }), [], topics)).toEqual(['korea']);
  });

  it('treats spaces and hyphens in a phrase alike', () => {
    expect(classify(text({ title: 'Kim Jong-un inspects factory' }), [], topics)).toEqual(['korea']);
    expect(classify(text({ title: 'Kim\nJong Un speaks' }), [], topics)).toEqual(['korea']);
  });

  it('matches Korean and Japanese phrases as substrings (particles attach to words)', () => {
    expect(classify(text({ title: '북한의 미사일 발사' }), [], topics)).toEqual(['korea']);
    expect(classify(text({ title: '北朝鮮はミサイルを発射' }), [], topics)).toEqual(['japan']);
  });

  it('folds full-width Latin letters', () => {
    expect(classify(text({ title: 'ＤＭＺ tour resumes' }), [], topics)).toEqual(['korea']);
  });

  it('includes every item of a source that declares the topic', () => {
    expect(classify(text({ title: 'Weather' }), ['korea'], topics)).toEqual(['korea']);
  });

  it('keeps an item out when an exclude phrase matches, even from a declaring source', () => {
    const item = text({ title: 'Seoul Food Festival opens' });
    expect(classify(item, [], topics)).toEqual([]);
    expect(classify(item, ['korea'], topics)).toEqual([]);
  });

  it('explains which phrase matched and which excluded', () => {
    expect(explainTopics(text({ title: 'North Korea at the Seoul Food Festival', summary: 'Tokyo' }), [], topics)).toEqual({
      matches: [{ slug: 'japan', matchedBy: 'tokyo' }],
      exclusions: [{ slug: 'korea', excludedBy: 'seoul food festival' }],
    });
  });

  it('treats regex characters in phrases literally', () => {
    const special = compileTopics([{ slug: 'x', include: ['c++ (lang)'], exclude: [] }]);
    expect(classify(text({ title: 'Why C++ (lang) matters' }), [], special)).toEqual(['x']);
    expect(classify(text({ title: 'Why C (lang) matters' }), [], special)).toEqual([]);
  });
});

describe('classify with qualified rules', () => {
  const qualified = compileTopics([
    { slug: 'missiles', include: ['title:missile', 'category:"defense news"'], exclude: ['author:"press office"'] },
    { slug: 'yonhap', include: ['source:yonhap', 'source:yna.co.kr'], exclude: [] },
    { slug: 'korean', include: ['title:북한'], exclude: [] },
  ]);
  const source = { title: 'Yonhap News', url: 'https://en.yna.co.kr/rss' };

  it('matches a title: rule in the title only', () => {
    expect(classify(text({ title: 'Missile launched' }), [], qualified)).toEqual(['missiles']);
    expect(classify(text({ summary: 'A missile was launched' }), [], qualified)).toEqual([]);
  });

  it('matches a category: rule in one category, never across two', () => {
    expect(classify(text({ categories: ['World', 'Defense News'] }), [], qualified)).toEqual(['missiles']);
    expect(classify(text({ categories: ['Defense', 'News'] }), [], qualified)).toEqual([]);
    expect(classify(text({ title: 'Defense news today' }), [], qualified)).toEqual([]);
  });

  it('matches a source: rule on the source title or host, on word boundaries', () => {
    expect(classify(text({ title: 'Weather' }), [], qualified)).toEqual([]);
    expect(classify(text({ title: 'Weather', source }), [], qualified)).toEqual(['yonhap']);
    expect(classify(text({ title: 'Weather', source: { title: null, url: 'https://www.yna.co.kr/feed' } }), [], qualified)).toEqual(['yonhap']);
    expect(classify(text({ title: 'Weather', source: { title: 'Yonhapster', url: 'https://example.org/' } }), [], qualified)).toEqual([]);
  });

  it('excludes by author', () => {
    expect(classify(text({ title: 'Missile launched', author: 'The Press Office' }), [], qualified)).toEqual([]);
    expect(explainTopics(text({ title: 'Missile launched', author: 'The Press Office' }), [], qualified).exclusions).toEqual([
      { slug: 'missiles', excludedBy: 'author:"press office"' },
    ]);
  });

  it('matches a qualified CJK phrase as a substring of its field', () => {
    expect(classify(text({ title: '북한의 미사일' }), [], qualified)).toEqual(['korean']);
    expect(classify(text({ summary: '북한의 미사일' }), [], qualified)).toEqual([]);
  });

  it('names the qualified rule that matched', () => {
    expect(explainTopics(text({ title: 'Missile launched' }), [], qualified).matches).toEqual([{ slug: 'missiles', matchedBy: 'title:missile' }]);
  });
});
