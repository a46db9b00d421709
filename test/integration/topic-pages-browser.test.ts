/**
 * The topic pages in headless Chromium (as public-pages-browser.test.ts launches it): a
 * topic's river of news with its outlets, local times and "Also reported by", paged back
 * through the archive so that every story shows once, feed discovery links, the search form,
 * the index's latest stories, on a phone-width screen and with no script. Screenshots go to
 * test-output/topic-pages/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { regenerateFeeds } from '../../jobs/regenerate-feeds.ts';
import { CANONICAL_URL_ONLY } from '../../src/dedupe/index.ts';
import type { Service } from '../../src/main.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { upsertItems } from '../../src/store/items.ts';
import { refreshStories } from '../../src/store/stories.ts';
import { groupPendingItems } from '../../src/store/story-assignment.ts';
import { launchBrowser, type Browser } from '../helpers/chromium.ts';
import { makeItem } from '../helpers/items.ts';
import { startPublicService } from '../helpers/public-service.ts';

const OUTPUT = path.resolve('test-output/topic-pages');
const STORIES = 120;
const FIRST = Date.parse('2026-11-20T00:00:00Z');

let service: Service;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let consoleErrors: string[];

/** 120 Korea stories an hour apart, story 7 also carried by The Daily, story 8 with a hostile title and link. */
async function storeStories(): Promise<void> {
  const { db } = service.context;
  const now = new Date('2026-11-25T00:00:00Z');
  await syncConfigSources(
    db,
    [
      { url: 'https://wire.example/feed', topics: [] },
      { url: 'https://daily.example/feed', topics: [] },
    ],
    now,
  );
  const sources = await db.selectFrom('sources').select(['id', 'url']).execute();
  const wire = sources.find((s) => s.url.startsWith('https://wire'))!.id;
  const daily = sources.find((s) => s.url.startsWith('https://daily'))!.id;
  await db.updateTable('sources').set({ title: 'Wire Service' }).where('id', '=', wire).execute();
  await db.updateTable('sources').set({ title: 'The Daily' }).where('id', '=', daily).execute();
  const items = Array.from({ length: STORIES }, (_, n) =>
    makeItem({
      key: `s${n}`,
      url: n === 8 ? 'javascript:alert(1)' : `https://wire.example/story-${n}`,
      title: n === 8 ? 'Seoul <script>alert(1)</script> story 8' : `Seoul story ${n}`,
      summary: `What happened in Seoul, part ${n}.`,
      publishedAt: new Date(FIRST + n * 3_600_000),
      topics: ['korea'],
    }),
  );
  await upsertItems(db, wire, items, now);
  const copy = makeItem({
    key: 'd7',
    url: 'https://daily.example/seoul-7',
    title: 'Seoul story 7, retold',
    publishedAt: new Date(FIRST + 7.5 * 3_600_000),
    topics: ['korea'],
  });
  await upsertItems(db, daily, [copy], now);
  await groupPendingItems(db, now, CANONICAL_URL_ONLY);
  // The Daily's copy joins story 7 (as near-duplicate text would have it).
  const storyOf = async (key: string) => (await db.selectFrom('items').select('story_id').where('item_key', '=', key).executeTakeFirstOrThrow()).story_id;
  const [story7, own] = [await storyOf('s7'), await storyOf('d7')];
  await db.updateTable('items').set({ story_id: story7 }).where('item_key', '=', 'd7').execute();
  await refreshStories(db, [story7, own], now);
  await regenerateFeeds(service.context);
}

beforeAll(async () => {
  service = await startPublicService();
  await storeStories();
  // JavaScript stays on (the pages have none) so that style checks can read computed styles.
  browser = await launchBrowser({ javaScriptEnabled: true, viewport: { width: 1000, height: 800 } });
  ({ context, page } = browser);
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  mkdirSync(OUTPUT, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});
beforeEach(() => {
  consoleErrors = [];
});

async function expectStyled(): Promise<void> {
  await expect(page.evaluate('getComputedStyle(document.body).maxWidth')).resolves.toBe('736px');
  expect(consoleErrors.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
}

const headlines = () => page.locator('ol.river h3').allTextContents();

describe('topic pages in Chromium', () => {
  it('shows every story once, paging from the topic page back through the archive', async () => {
    await page.goto(`${service.url}/topics/korea/`);
    await page.getByRole('heading', { name: 'Korea', level: 1 }).waitFor();
    await expectStyled();
    await page.screenshot({ path: path.join(OUTPUT, 'topic.png'), fullPage: true });
    const seen: string[] = [];
    for (;;) {
      seen.push(...(await headlines()));
      const older = page.getByRole('link', { name: 'Older stories' });
      if ((await older.count()) === 0) break;
      await older.click();
      await page.waitForLoadState();
    }
    expect(seen).toHaveLength(STORIES);
    expect(new Set(seen).size).toBe(STORIES);
    expect(seen[0]).toBe(`Seoul story ${STORIES - 1}`);
    expect(seen.at(-1)).toBe('Seoul story 0');
    expect(page.url()).toBe(`${service.url}/topics/korea/archive/0/`);
    await expectStyled();
  });

  it('shows each story with its outlet, local time, summary and the other outlets', async () => {
    await page.goto(`${service.url}/topics/korea/archive/0/`);
    const story = page.locator('ol.river li', { hasText: 'Seoul story 7' }).first();
    await expect(story.locator('h3 a').getAttribute('href')).resolves.toBe('https://wire.example/story-7');
    await expect(story.locator('.meta').textContent()).resolves.toContain('Wire Service');
    // Korea's digest time zone is UTC in this configuration: the time is said in it.
    await expect(story.locator('time').textContent()).resolves.toBe('Fri 20 Nov, 07:00 UTC');
    await expect(story.locator('time').getAttribute('datetime')).resolves.toBe('2026-11-20T07:00:00.000Z');
    await expect(story.textContent()).resolves.toContain('What happened in Seoul, part 7.');
    await expect(story.locator('.also').textContent()).resolves.toBe('Also reported by The Daily');
    await expect(page.getByRole('link', { name: 'Newer stories' }).getAttribute('href')).resolves.toBe(`${service.url}/topics/korea/`);
  });

  it('escapes what publishers wrote and links only to http(s) addresses', async () => {
    await page.goto(`${service.url}/topics/korea/archive/0/`);
    const story = page.locator('ol.river li', { hasText: 'story 8' });
    // Titles are plain text, as in the feeds (plain-title.ts): the markup is dropped.
    await expect(story.locator('h3').textContent()).resolves.toBe('Seoul alert(1) story 8');
    await expect(story.locator('h3 a').count()).resolves.toBe(0);
    await expect(page.locator('script').count()).resolves.toBe(0);
    await expect(page.locator('a[href^="javascript:"]').count()).resolves.toBe(0);
  });

  it('offers the feeds for discovery and subscription', async () => {
    await page.goto(`${service.url}/topics/korea/`);
    const alternates = await page.locator('head link[rel="alternate"]').evaluateAll((links) => links.map((l) => l.getAttribute('href')));
    expect(alternates).toEqual(['rss.xml', 'atom.xml', 'feed.json'].map((file) => `${service.url}/topics/korea/${file}`));
    for (const name of ['RSS', 'Atom', 'JSON Feed']) {
      const href = await page.getByRole('link', { name, exact: true }).getAttribute('href');
      expect((await context.request.get(href!)).status()).toBe(200);
    }
  });

  it('searches the topic through its form, as ?q= without script', async () => {
    await page.goto(`${service.url}/topics/korea/`);
    await page.getByRole('searchbox', { name: 'Search these stories' }).fill('seoul 117');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(`${service.url}/topics/korea/?q=seoul+117`);
    await expect(page.getByRole('searchbox').inputValue()).resolves.toBe('seoul 117');
    await expect(page.locator('main .status').textContent()).resolves.toContain('1 story matches “seoul 117”.');
    await expect(page.locator('ol.river h3').allTextContents()).resolves.toEqual(['Seoul story 117']);
    expect(consoleErrors).toEqual([]);
  });

  it('answers a search with no letters or digits with a 400 page', async () => {
    const response = await fetch(`${service.url}/topics/korea/?q=${encodeURIComponent('!!!')}`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('text/html');
  });

  it("shows each topic's latest stories on the index", async () => {
    await page.goto(`${service.url}/`);
    await expect(page.locator('#korea ol.river h3').allTextContents()).resolves.toEqual([119, 118, 117, 116, 115].map((n) => `Seoul story ${n}`));
    await expect(page.locator('#world ol.river li').count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'All Korea stories' }).click();
    await page.getByRole('heading', { name: 'Korea', level: 1 }).waitFor();
  });

  it('fits a phone-width screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${service.url}/topics/korea/`);
      const png = await page.screenshot({ path: path.join(OUTPUT, 'topic-phone.png'), fullPage: true });
      expect(png.readUInt32BE(16)).toBe(390); // PNG IHDR width: no sideways scrolling
    } finally {
      await page.setViewportSize({ width: 1000, height: 800 });
    }
  });

  it('answers a missing archive page with an error page, and revalidates pages with 304', async () => {
    const missing = await page.goto(`${service.url}/topics/korea/archive/7/`);
    expect(missing!.status()).toBe(404);
    await page.getByRole('heading', { name: 'Not found', level: 1 }).waitFor();
    const first = await fetch(`${service.url}/topics/korea/`);
    const etag = first.headers.get('etag')!;
    expect((await fetch(`${service.url}/topics/korea/`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it('sends /topics/<slug> to the page with its slash, keeping the search', async () => {
    const response = await fetch(`${service.url}/topics/korea?q=seoul`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/topics/korea/?q=seoul');
  });
});
