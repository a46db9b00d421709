import { describe, expect, it } from 'vitest';
import type { FeedEntry } from '../../../src/model.ts';
import { topicFeedDocument } from '../../../src/render/topic-feed.ts';

const source = (id: number, title: string) => ({ id, title, url: `https://${id}.example/feed`, siteUrl: null });

function entry(overrides: Partial<FeedEntry> = {}): FeedEntry {
  return {
    storyId: 1,
    guid: '6f1c2d4e-0000-5000-8000-000000000001',
    publishedAt: new Date('2026-11-23T08:00:00Z'),
    updatedAt: new Date('2026-11-23T09:00:00Z'),
    url: 'https://wire.example/story',
    title: 'North Korea fires missile',
    summary: 'Launch seen from Seoul.',
    contentHtml: '<p>Launch seen from Seoul.</p>',
    author: null,
    categories: [],
    enclosure: null,
    source: source(1, 'Wire'),
    alsoReportedBy: [],
    ...overrides,
  };
}

describe('topicFeedDocument', () => {
  it('lists the other outlets after the content, names and links escaped', () => {
    const doc = topicFeedDocument(
      { slug: 'korea', title: 'Korea', description: '' },
      [
        entry({
          alsoReportedBy: [
            { source: source(2, 'Daily <News>'), url: 'https://daily.example/a?x=1&y="2"', title: 'Copy' },
            { source: source(3, 'Radio'), url: null, title: 'Copy' },
          ],
        }),
      ],
      'https://feeds.test',
    );
    expect(doc.entries[0]!.contentHtml).toBe(
      '<p>Launch seen from Seoul.</p><p><small>Also reported by: <a href="https://daily.example/a?x=1&amp;y=&quot;2&quot;">Daily &lt;News&gt;</a>, Radio</small></p>',
    );
    expect(doc.entries[0]!.extension).toEqual({
      also_reported_by: [
        { source: 'Daily <News>', url: 'https://daily.example/a?x=1&y="2"', title: 'Copy' },
        { source: 'Radio', url: null, title: 'Copy' },
      ],
    });
  });

  it("links the other outlets' copies without their tracking parameters", () => {
    const doc = topicFeedDocument(
      { slug: 'korea', title: 'Korea', description: '' },
      [entry({ alsoReportedBy: [{ source: source(2, 'Daily'), url: 'https://daily.example/a?utm_source=rss&id=3&fbclid=x', title: 'Copy' }] })],
      'https://feeds.test',
    );
    expect(doc.entries[0]!.contentHtml).toContain('Also reported by: <a href="https://daily.example/a?id=3">Daily</a>');
    expect(doc.entries[0]!.extension).toEqual({ also_reported_by: [{ source: 'Daily', url: 'https://daily.example/a?id=3', title: 'Copy' }] });
  });

  it('adds no line when no other outlet carried the story', () => {
    expect(topicFeedDocument({ slug: 'korea', title: 'Korea', description: '' }, [entry()], 'https://feeds.test').entries[0]!.contentHtml).toBe(
      '<p>Launch seen from Seoul.</p>',
    );
  });
});
