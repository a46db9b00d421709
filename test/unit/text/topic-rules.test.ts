import { describe, expect, it } from 'vitest';
import { fieldText, parseRule, ruleProblem } from '../../../src/text/topic-rules.ts';

describe('parseRule', () => {
  it('reads an unqualified phrase as a phrase on every text field', () => {
    expect(parseRule('north korea')).toEqual({ field: 'any', phrase: 'north korea' });
    expect(parseRule('  seoul  ')).toEqual({ field: 'any', phrase: 'seoul' });
  });

  it('reads each qualifier, case-insensitively, with the value trimmed', () => {
    expect(parseRule('title:missile')).toEqual({ field: 'title', phrase: 'missile' });
    expect(parseRule('Category: defense')).toEqual({ field: 'category', phrase: 'defense' });
    expect(parseRule('source:yonhap')).toEqual({ field: 'source', phrase: 'yonhap' });
    expect(parseRule('author:kim')).toEqual({ field: 'author', phrase: 'kim' });
  });

  it('takes quoted values without their quotes', () => {
    expect(parseRule('title:"north korea"')).toEqual({ field: 'title', phrase: 'north korea' });
    expect(parseRule('"kim jong un"')).toEqual({ field: 'any', phrase: 'kim jong un' });
  });

  it('leaves a colon after an unknown word in the phrase', () => {
    expect(parseRule('re: talks')).toEqual({ field: 'any', phrase: 're: talks' });
    expect(parseRule('c++ (lang)')).toEqual({ field: 'any', phrase: 'c++ (lang)' });
  });
});

describe('ruleProblem', () => {
  it('accepts plain, qualified and quoted rules', () => {
    for (const rule of ['north korea', 'title:missile', 'source:"yonhap news"', 'say "hi"', '북한']) expect(ruleProblem(rule)).toBeNull();
  });

  it('names a qualifier without a phrase and an unclosed quote', () => {
    expect(ruleProblem('title:')).toBe('title: has no phrase');
    expect(ruleProblem('author:""')).toBe('author: has no phrase');
    expect(ruleProblem('title:"north korea')).toBe('title: opens a quote it does not close');
    expect(ruleProblem('""')).toBe('the phrase is empty');
  });
});

describe('fieldText', () => {
  const item = {
    title: 'Missile Test',
    summary: 'A summary',
    categories: ['World', 'News'],
    contentText: 'Body',
    author: 'Kim Min-ji',
    source: { title: 'Yonhap', url: 'https://en.yna.co.kr/feed' },
  };

  it('gives each field its own normalized text', () => {
    expect(fieldText(item, 'title')).toBe('missile test');
    expect(fieldText(item, 'author')).toBe('kim min-ji');
    expect(fieldText(item, 'source')).toBe('yonhap\u0000en.yna.co.kr');
    expect(fieldText(item, 'any')).toBe('missile test\na summary\nworld\nnews\nbody');
  });

  it('has no source text when the source is not given', () => {
    expect(fieldText({ ...item, source: undefined }, 'source')).toBe('');
  });
});
