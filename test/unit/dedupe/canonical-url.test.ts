import { describe, expect, it } from 'vitest';
import { canonicalUrl, withoutTracking } from '../../../src/dedupe/index.ts';

describe('canonicalUrl', () => {
  it('lower-cases scheme and host and drops default ports and fragments', () => {
    expect(canonicalUrl('HTTPS://News.Example.COM:443/World/Story-1#comments')).toBe('https://news.example.com/World/Story-1');
  });

  it('strips tracking parameters and keeps meaningful ones, in a stable order', () => {
    expect(canonicalUrl('https://example.com/view?utm_source=rss&id=42&fbclid=abc&utm_medium=feed&gclid=x&mc_cid=1&mc_eid=2&ref=home&page=2')).toBe(
      'https://example.com/view?id=42&page=2',
    );
    expect(canonicalUrl('https://example.com/view?page=2&id=42')).toBe(canonicalUrl('https://example.com/view?id=42&page=2'));
  });

  it('folds www, m and amp hosts into the bare domain', () => {
    const expected = 'https://example.com/news/1';
    expect(canonicalUrl('https://www.example.com/news/1')).toBe(expected);
    expect(canonicalUrl('https://m.example.com/news/1')).toBe(expected);
    expect(canonicalUrl('https://amp.example.com/news/1')).toBe(expected);
  });

  it('folds AMP paths and trailing slashes', () => {
    const expected = 'https://example.com/news/story';
    expect(canonicalUrl('https://example.com/news/story/')).toBe(expected);
    expect(canonicalUrl('https://example.com/amp/news/story')).toBe(expected);
    expect(canonicalUrl('https://example.com/news/story/amp/')).toBe(expected);
    expect(canonicalUrl('https://example.com/news/story.amp')).toBe(expected);
    expect(canonicalUrl('https://example.com/news/story.amp.html')).toBe('https://example.com/news/story.html');
  });

  it('treats http and https copies as one article', () => {
    expect(canonicalUrl('http://example.com/a')).toBe(canonicalUrl('https://example.com/a'));
  });

  it('keeps a non-default port and the root path', () => {
    expect(canonicalUrl('http://example.com:8080')).toBe('https://example.com:8080/');
  });

  it('does not fold look-alike paths', () => {
    expect(canonicalUrl('https://example.com/news/ampersand')).toBe('https://example.com/news/ampersand');
    expect(canonicalUrl('https://example.com/campaign/amp-up')).toBe('https://example.com/campaign/amp-up');
  });

  it('returns null for missing, relative and non-http URLs', () => {
    expect(canonicalUrl(null)).toBeNull();
    expect(canonicalUrl('/relative/path')).toBeNull();
    expect(canonicalUrl('javascript:alert(1)')).toBeNull();
    expect(canonicalUrl('mailto:desk@example.com')).toBeNull();
  });
});

describe('withoutTracking', () => {
  it('drops tracking parameters, encoded names too, and keeps the rest as written', () => {
    expect(withoutTracking('https://www.example.com/view?utm_source=rss&id=4%202&q=a+b&FBCLID=x&utm%5Fmedium=feed#part-2')).toBe(
      'https://www.example.com/view?id=4%202&q=a+b#part-2',
    );
  });

  it('drops the query when only tracking parameters were in it', () => {
    expect(withoutTracking('http://m.example.com/news/1/amp?utm_source=rss&utm_medium=feed')).toBe('http://m.example.com/news/1/amp');
  });

  it('returns a link without tracking parameters unchanged', () => {
    expect(withoutTracking('https://example.com/view?&b=2&a=1')).toBe('https://example.com/view?&b=2&a=1');
  });
});
