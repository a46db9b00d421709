import { describe, expect, it } from 'vitest';
import { documentHubs, hubLinkHeader, jsonFeedHubs } from '../../../src/render/hub-links.ts';

describe('WebSub discovery links (WebSub §4)', () => {
  it('names the configured hubs, then the built-in hub when it is on, once each', () => {
    expect(documentHubs({ hubs: ['https://hub.example/'], builtin: false }, 'https://news.example')).toEqual(['https://hub.example/']);
    expect(documentHubs({ hubs: ['https://hub.example/'], builtin: true }, 'https://news.example')).toEqual([
      'https://hub.example/',
      'https://news.example/websub/hub',
    ]);
    expect(documentHubs({ hubs: ['https://news.example/websub/hub'], builtin: true }, 'https://news.example')).toEqual(['https://news.example/websub/hub']);
  });

  it('writes the Link header with every hub and the document itself, and none without hubs', () => {
    expect(hubLinkHeader(['https://a.example/', 'https://b.example/'], 'https://news.example/topics/k/atom.xml')).toBe(
      '<https://a.example/>; rel="hub", <https://b.example/>; rel="hub", <https://news.example/topics/k/atom.xml>; rel="self"',
    );
    expect(hubLinkHeader([], 'https://news.example/topics/k/atom.xml')).toBeNull();
  });

  it('leaves JSON Feed hubs out when there is none, so documents keep their bytes', () => {
    expect(jsonFeedHubs([])).toBeUndefined();
    expect(jsonFeedHubs(undefined)).toBeUndefined();
    expect(jsonFeedHubs(['https://a.example/'])).toEqual([{ type: 'WebSub', url: 'https://a.example/' }]);
  });
});
