import { readFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { extractArticle, type ArticleResult } from '../../../src/ingest/extract-article.ts';

const ARTICLES = path.resolve(import.meta.dirname, '../../fixtures/articles');
const page = (name: string) => new Uint8Array(readFileSync(path.join(ARTICLES, name)));
const BOILERPLATE = /BOILERPLATE-(COOKIE|NAV|RELATED|FOOTER)/;

function extracted(result: ArticleResult): Extract<ArticleResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected an article, got ${result.code}: ${result.message}`);
  return result;
}

const task = (name: string) => ({
  bytes: page(name),
  contentType: 'text/html; charset=utf-8',
  pageUrl: 'https://news.example/2026/11/story',
  title: 'A story',
  feedTextLength: 40,
});

describe('extractArticle', () => {
  it.each(['harbour-budget.html', 'rail-strike.html'])('keeps the article of %s and none of the boilerplate around it', (name) => {
    const article = extracted(extractArticle(task(name)));
    expect(article.text).not.toMatch(BOILERPLATE);
    expect(article.html).not.toMatch(BOILERPLATE);
    expect(article.text.length).toBeGreaterThan(1000);
    expect(article.signature).not.toBeNull();
  });

  it('keeps every paragraph of the article', () => {
    const article = extracted(extractArticle(task('harbour-budget.html')));
    expect(article.text).toContain('The city council approved the harbour district budget');
    expect(article.text).toContain('Delegations from Seoul and Busan');
    expect(article.text).toContain('council will publish quarterly reports on both projects');
  });

  it('sanitizes the article and makes its links absolute against the page URL', () => {
    const article = extracted(extractArticle(task('harbour-budget.html')));
    expect(article.html).toContain('src="https://news.example/images/sea-wall.jpg"');
    expect(article.html).not.toMatch(/<script|<form|<button|class=/i);
  });

  it('finds no article on a page of links', () => {
    expect(extractArticle(task('index-page.html'))).toMatchObject({ ok: false, code: 'no_article' });
  });

  it('refuses what is not HTML', () => {
    expect(extractArticle({ ...task('rail-strike.html'), contentType: 'application/pdf' })).toMatchObject({ ok: false, code: 'not_html' });
  });

  it('gives up an "article" no longer than the feed already carries', () => {
    expect(extractArticle({ ...task('rail-strike.html'), feedTextLength: 100_000 })).toMatchObject({ ok: false, code: 'article_too_short' });
  });

  it('decodes a page in the charset its <meta> declares when the header names none', () => {
    const korean = `<html><head><meta charset="euc-kr"><title>t</title></head><body><nav>메뉴</nav><article><h1>제목</h1>${'<p>서울시는 올해 항만 예산을 확정했다. 시의회는 밤샘 회의 끝에 방파제 공사를 먼저 하기로 했다. 여객 터미널은 두 단계로 나누어 짓는다.</p>'.repeat(8)}</article></body></html>`;
    const article = extracted(extractArticle({ ...task('rail-strike.html'), bytes: new Uint8Array(iconv.encode(korean, 'euc-kr')), contentType: 'text/html' }));
    expect(article.text).toContain('서울시는 올해 항만 예산을 확정했다');
  });

  it('derives the text of an article extracted before (a 304) without extracting again', () => {
    const html = '<p>Stored article text, long enough.</p>';
    const article = extracted(extractArticle({ ...task('rail-strike.html'), bytes: Buffer.from(html), contentType: null, extracted: true }));
    expect(article.html).toBe(html);
    expect(article.text).toBe('Stored article text, long enough.');
  });
});
