/**
 * The public pages in a real browser: headless Chromium (Debian's `chromium`, installed by
 * .ci/run) driven by playwright-core. An error page renders with its stylesheet allowed by
 * the page's Content-Security-Policy and its link home works; from the home page, the digest
 * index is one click away and every link on it answers 200. Screenshots go to
 * test-output/public-pages/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, type Browser } from '../helpers/chromium.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Service } from '../../src/main.ts';
import { KOREA_DIGESTS, koreaDigestTitle, startPublicService } from '../helpers/public-service.ts';

const OUTPUT = path.resolve('test-output/public-pages');

let service: Service;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** What the browser's console said while a test ran: a blocked stylesheet shows up here. */
let consoleErrors: string[];

beforeAll(async () => {
  service = await startPublicService();
  // JavaScript stays on (the pages have none) so that style checks can read computed styles.
  browser = await launchBrowser({ javaScriptEnabled: true, viewport: { width: 1000, height: 800 } });
  ({ context, page } = browser);
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  mkdirSync(OUTPUT, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});
beforeEach(() => {
  consoleErrors = [];
});

/** The stylesheet applied: the body is the page's 46rem column, not the full window. */
async function expectStyled(): Promise<void> {
  await expect(page.evaluate('getComputedStyle(document.body).maxWidth')).resolves.toBe('736px');
  expect(consoleErrors.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
}

describe('public pages in Chromium', () => {
  it('shows an error page for an unknown topic, whose link goes home', async () => {
    const response = await page.goto(`${service.url}/topics/%3Cb%3Enowhere/rss.xml`);
    expect(response!.status()).toBe(404);
    await page.getByRole('heading', { name: 'Not found', level: 1 }).waitFor();
    await expect(page.locator('main').textContent()).resolves.toContain('Error 404');
    await expect(page.locator('main').textContent()).resolves.toContain('no topic "<b>nowhere"');
    await expect(page.locator('main b').count()).resolves.toBe(0);
    await expectStyled();
    await page.screenshot({ path: path.join(OUTPUT, 'error-404.png'), fullPage: true });

    const home = page.waitForResponse(`${service.url}/`);
    await page.getByRole('link', { name: 'Tidings home' }).click();
    expect((await home).status()).toBe(200);
    await page.getByRole('heading', { name: 'Tidings', level: 1 }).waitFor();
  });

  it('shows a 400 page for a bad query parameter', async () => {
    const response = await page.goto(`${service.url}/topics/korea/rss.xml?limit=lots`);
    expect(response!.status()).toBe(400);
    await page.getByRole('heading', { name: 'Bad request', level: 1 }).waitFor();
    await expect(page.locator('main').textContent()).resolves.toContain('limit must be a whole number');
    await expectStyled();
  });

  it('reaches the digest index from the home page, and every link on it answers 200', async () => {
    await page.goto(`${service.url}/`);
    await expect(page.getByRole('link', { name: 'admin page' }).getAttribute('href')).resolves.toBe(`${service.url}/admin`);
    await page.getByRole('link', { name: 'Past Korea digests' }).click();
    await page.getByRole('heading', { name: 'Korea — daily digests', level: 1 }).waitFor();
    await expectStyled();
    const listed = KOREA_DIGESTS.filter((d) => d.stories > 0)
      .map((d) => koreaDigestTitle(d.date))
      .sort()
      .reverse();
    await expect(page.locator('ol.digests h2').allTextContents()).resolves.toEqual(listed);
    await page.screenshot({ path: path.join(OUTPUT, 'digest-index.png'), fullPage: true });

    const hrefs = await Promise.all((await page.locator('main a').all()).map((link) => link.getAttribute('href')));
    // Three digest feeds, and per digest its title, its page and its plain text.
    expect(hrefs).toHaveLength(3 + listed.length * 3);
    for (const href of new Set(hrefs)) expect([href, (await context.request.get(href!)).status()]).toEqual([href, 200]);

    await page.getByRole('link', { name: listed[0] }).click();
    await page.getByRole('heading', { name: listed[0] }).waitFor();
    await expectStyled();
  });

  it('fits a phone-width screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${service.url}/topics/korea/digest/`);
      // A full-page screenshot is as wide as the document: wider than the screen means sideways scrolling.
      const png = await page.screenshot({ path: path.join(OUTPUT, 'digest-index-phone.png'), fullPage: true });
      expect(png.readUInt32BE(16)).toBe(390); // PNG IHDR width
    } finally {
      await page.setViewportSize({ width: 1000, height: 800 });
    }
  });
});
