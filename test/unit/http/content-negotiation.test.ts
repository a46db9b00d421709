import { describe, expect, it } from 'vitest';
import { prefersHtml } from '../../../src/http/content-negotiation.ts';

const FIREFOX = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const CHROMIUM = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';

describe('prefersHtml', () => {
  it.each([
    ['Firefox', FIREFOX],
    ['Chromium', CHROMIUM],
    ['a bare text/html', 'text/html'],
    ['HTML preferred to JSON by q', 'application/json;q=0.5, text/html'],
    ['upper-case names', 'TEXT/HTML'],
  ])('is true for %s', (_label, accept) => {
    expect(prefersHtml(accept)).toBe(true);
  });

  it.each([
    ['no Accept header', undefined],
    ['an empty Accept header', ''],
    ['curl (*/*)', '*/*'],
    ['application/json', 'application/json'],
    ['JSON and HTML as equals', 'application/json, text/html'],
    ['HTML listed first but as equals to JSON', 'text/html, application/json'],
    ['JSON preferred by q', 'text/html;q=0.5, application/json'],
    ['HTML refused with q=0', 'text/html;q=0, */*'],
    ['text/* only', 'text/*'],
    ['a malformed q', 'text/html;q=x'],
    ['only a mention inside a parameter', 'application/json;note=text/html'],
  ])('is false for %s', (_label, accept) => {
    expect(prefersHtml(accept)).toBe(false);
  });
});
