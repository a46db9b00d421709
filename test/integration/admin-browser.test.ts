/**
 * The admin page in a real browser: headless Chromium (Debian's `chromium`, installed by
 * .ci/run) driven by playwright-core, with JavaScript disabled to prove the page needs
 * none. Logs in, adds a source from a local fixture server (preview first), sees it in
 * the table with its items, pauses it, and saves screenshots under test-output/. Each test
 * starts logged out with no sources and gets there through the page itself.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, type Browser } from '../helpers/chromium.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { clearContent, createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { recordPollEvents } from '../../src/store/poll-events.ts';
import { insertAdminSources } from '../../src/store/source-admin.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

const TOKEN = 'browser-test-admin-token-0123456789';
const OUTPUT = path.resolve('test-output/admin-browser');

let fixtures: FixtureServer;
let service: Service;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  const recent = (hours: number) => new Date(Date.now() - hours * 3_600_000).toUTCString();
  fixtures.route('/world.xml', {
    body: rssFeed('Globe Dispatch', [
      { guid: 'g1', title: 'Seoul and Tokyo agree on talks', link: 'https://globe.example/talks', pubDate: recent(2) },
      { guid: 'g2', title: 'Harvest season ends early', link: 'https://globe.example/harvest', pubDate: recent(1) },
    ]),
  });
  const config = testConfig({
    topics: [
      { slug: 'korea', title: 'Korea', include: ['seoul'] },
      { slug: 'world', title: 'World' },
    ],
  });
  service = await serve({ ...readEnv({}), port: 0, adminToken: TOKEN }, config, silentLog, { handleSignals: false, database: await createTestDatabase() });
  browser = await launchBrowser({ viewport: { width: 1200, height: 900 } });
  ({ context, page } = browser);
  mkdirSync(OUTPUT, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await fixtures?.close();
});
beforeEach(async () => {
  await clearContent(service.context.database);
  await context.clearCookies();
  await page.setViewportSize({ width: 1200, height: 900 });
});

/** Logs in with the form; ends on the sources table. */
async function logIn() {
  await page.goto(`${service.url}/admin`);
  await page.getByLabel('Admin token').fill(TOKEN);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Sources', exact: true }).waitFor();
}

/** Adds Globe Dispatch (topic World) with the form, without a preview; ends on the sources table. */
async function addGlobe() {
  await page.getByLabel('Feed or site URL').fill(fixtures.url('/world.xml'));
  await page.getByRole('checkbox', { name: 'World' }).check();
  await page.getByRole('button', { name: 'Add source' }).click();
  await page.getByRole('heading', { name: 'Globe Dispatch' }).waitFor();
  await page.getByRole('link', { name: 'Sources' }).click();
  await page.getByRole('heading', { name: 'Sources', exact: true }).waitFor();
}

/** How wide the page's content is (a string: this file is type-checked without the DOM library). */
const documentWidth = () => page.evaluate<number>('document.documentElement.scrollWidth');

const globeRow = () => page.locator('table.sources tbody tr', { hasText: 'Globe Dispatch' });

/** Imports an OPML file listing Second (new, never fetched), Globe Dispatch and a feed that cannot be polled, with the file input. */
async function importOpml() {
  const file = path.join(OUTPUT, 'subscriptions.opml');
  writeFileSync(
    file,
    `<?xml version="1.0"?><opml version="2.0"><body><outline text="Korea"><outline type="rss" text="Second" xmlUrl="${fixtures.url('/second.xml')}"/></outline><outline type="rss" text="Globe" xmlUrl="${fixtures.url('/world.xml')}"/><outline type="rss" text="Broken" xmlUrl="ftp://broken.example/feed"/></body></opml>`,
  );
  await page.getByLabel('OPML file').setInputFiles(file);
  await page.getByRole('button', { name: 'Import' }).click();
}

describe('admin page in Chromium', () => {
  it('refuses a wrong token, then logs in with a locked-down session cookie', async () => {
    await page.goto(`${service.url}/admin`);
    await expect(page.getByRole('heading', { name: 'Log in' }).isVisible()).resolves.toBe(true);
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Wrong admin token.');

    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Sources', exact: true }).waitFor();
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'tidings_admin', httpOnly: true, sameSite: 'Strict', path: '/admin' });
  });

  it('previews a feed, adds it, and shows its items', async () => {
    await logIn();
    await page.getByLabel('Feed or site URL').fill(fixtures.url('/world.xml'));
    await page.getByRole('checkbox', { name: 'World' }).check();
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.locator('section', { has: page.getByRole('heading', { name: /^Preview of / }) });
    await expect(preview.textContent()).resolves.toContain('Globe Dispatch');
    await expect(preview.getByRole('listitem').allTextContents()).resolves.toEqual([
      expect.stringMatching(/^Harvest season ends early .* → world$/),
      expect.stringMatching(/^Seoul and Tokyo agree on talks .* → korea, world$/),
    ]);
    await page.screenshot({ path: path.join(OUTPUT, 'preview.png'), fullPage: true });

    await preview.getByRole('button', { name: 'Add this feed' }).click();
    await page.getByRole('heading', { name: 'Globe Dispatch' }).waitFor();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Source added');
    const items = page.locator('ul.items li');
    await expect(items.allTextContents()).resolves.toEqual([
      expect.stringContaining('Harvest season ends early'),
      expect.stringContaining('Seoul and Tokyo agree on talks'),
    ]);
    await page.screenshot({ path: path.join(OUTPUT, 'source.png'), fullPage: true });
  });

  it('lists the source in the table with its items, and pauses it', async () => {
    await logIn();
    await addGlobe();
    const row = globeRow();
    await expect(row.locator('td[data-label="State"]').textContent()).resolves.toContain('OK');
    await expect(row.locator('td[data-label="Items, 7 days"]').textContent()).resolves.toBe('2');
    await page.screenshot({ path: path.join(OUTPUT, 'sources.png'), fullPage: true });

    await row.getByRole('button', { name: 'Pause Globe Dispatch' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Source paused');
    const paused = page.locator('table.sources tbody tr', { hasText: 'Globe Dispatch' });
    await expect(paused.getAttribute('data-state')).resolves.toBe('paused');
    await expect(paused.locator('td[data-label="State"]').textContent()).resolves.toContain('paused by an admin');
    await expect(paused.getByRole('button', { name: 'Resume Globe Dispatch' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(OUTPUT, 'paused.png'), fullPage: true });
    expect(existsSync(path.join(OUTPUT, 'paused.png'))).toBe(true);
  });

  it('fits a phone-width screen', async () => {
    await logIn();
    await addGlobe();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    // A full-page screenshot is as wide as the document: wider than the screen means sideways scrolling.
    const png = await page.screenshot({ path: path.join(OUTPUT, 'phone.png'), fullPage: true });
    expect(png.readUInt32BE(16)).toBe(390); // PNG IHDR width
    // Rows become cards: each cell takes the card's full width instead of a narrow column.
    expect((await page.locator('table.sources tbody td[data-label="State"]').first().boundingBox())!.width).toBeGreaterThan(300);
  });

  it('fits a phone-width screen with a long poll history and long error messages', async () => {
    await logIn();
    await addGlobe();
    const id = Number(/source-(\d+)/.exec((await globeRow().getAttribute('id'))!)![1]);
    const longUrl = `https://feeds.example/${'very-long-path-segment-'.repeat(8)}feed.xml?${'token=abcdefghijklmnopqrstuvwxyz0123456789&'.repeat(3)}`;
    const longMessage = `the server answered 500 Internal Server Error for ${longUrl} after ${'redirecting '.repeat(5)}through ${longUrl}`;
    const { db } = service.context;
    await db
      .updateTable('sources')
      .set({ error_code: 'http_server_error', error_message: longMessage, consecutive_failures: 3 })
      .where('id', '=', id)
      .execute();
    await recordPollEvents(
      db,
      Array.from({ length: 40 }, (_, i) => ({
        sourceId: id,
        polledAt: new Date(Date.now() - (40 - i) * 600_000),
        outcome: i % 3 === 0 ? ('stored' as const) : ('failed' as const),
        status: i % 3 === 0 ? 200 : 500,
        errorCode: i % 3 === 0 ? null : 'http_server_error',
        errorMessage: i % 3 === 0 ? null : longMessage,
        newItems: i % 3 === 0 ? 12 : 0,
        updatedItems: 0,
        durationMs: 123_456,
      })),
    );
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [name, url] of [
      ['phone-sources.png', `${service.url}/admin`],
      ['phone-source.png', `${service.url}/admin/sources/${id}`],
    ] as const) {
      await page.goto(url);
      expect(await documentWidth()).toBeLessThanOrEqual(390);
      await page.screenshot({ path: path.join(OUTPUT, name), fullPage: true });
    }
  });

  it('shows a next poll time already past as "due now", and a paused source as "paused"', async () => {
    await logIn();
    await addGlobe();
    await service.context.db
      .updateTable('sources')
      .set({ next_poll_at: new Date(Date.now() - 5000) })
      .execute();
    await page.reload();
    await expect(globeRow().locator('td[data-label="Next poll"]').textContent()).resolves.toBe('due now');
    await globeRow().getByRole('link', { name: 'Globe Dispatch', exact: true }).click();
    await expect(page.locator('dt:text-is("Next poll") + dd').textContent()).resolves.toBe('due now');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect(page.locator('dt:text-is("Next poll") + dd').textContent()).resolves.toBe('paused');
    await page.getByRole('link', { name: 'Sources' }).click();
    await expect(globeRow().locator('td[data-label="Next poll"]').textContent()).resolves.toBe('paused');
  });

  it('refuses a form post without the CSRF token, even with the session cookie', async () => {
    await logIn();
    await addGlobe();
    await globeRow().getByRole('button', { name: 'Pause Globe Dispatch' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Source paused');
    const id = /source-(\d+)/.exec((await page.locator('table.sources tbody tr').first().getAttribute('id'))!)![1];
    const forged = await context.request.post(`${service.url}/admin/sources/${id}/resume`, { form: { back: '/admin' }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    const crossSite = await context.request.post(`${service.url}/admin/sources/${id}/resume`, {
      form: { back: '/admin' },
      headers: { origin: 'https://evil.example' },
      maxRedirects: 0,
    });
    expect(crossSite.status()).toBe(403);
    await page.reload();
    await expect(page.locator('table.sources tbody tr').first().getAttribute('data-state')).resolves.toBe('paused');
  });

  it('imports an OPML file chosen with the file input, showing what it did at the top; a reload imports nothing again', async () => {
    await logIn();
    await addGlobe();
    // More sources than a screen holds: a result shown below the table would be out of sight.
    await insertAdminSources(
      service.context.db,
      Array.from({ length: 30 }, (_, i) => ({ url: `https://filler.example/${i}.xml`, title: `Filler ${i}`, topics: [] })),
      new Date(),
    );
    await page.reload();
    await importOpml();
    expect(page.url()).toMatch(/\/admin\?result=[\w-]{16}$/);
    const result = page.locator('section', { has: page.getByRole('heading', { name: 'Import result' }) });
    await expect(result.locator('p').first().textContent()).resolves.toMatch(/^1 added, 1 already present, 1 invalid\./);
    await expect(result.locator('#opml-added li').allTextContents()).resolves.toEqual([expect.stringMatching(/^Second .*\/second\.xml/)]);
    await expect(result.locator('#opml-existing li').allTextContents()).resolves.toEqual([expect.stringMatching(/^Globe Dispatch .*\/world\.xml$/)]);
    await expect(result.locator('#opml-invalid li').allTextContents()).resolves.toEqual([
      'ftp://broken.example/feed: only http and https URLs can be polled, not ftp:',
    ]);
    const box = (await result.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(900); // the whole result within the first screen
    await page.screenshot({ path: path.join(OUTPUT, 'import-result.png') });
    await expect(page.locator('table.sources tbody tr', { hasText: 'Second' }).getAttribute('data-state')).resolves.toBe('pending');

    const sources = async () => (await service.context.db.selectFrom('sources').select('id').execute()).length;
    const before = await sources();
    expect(before).toBe(32);
    await page.reload();
    await expect(result.locator('p').first().textContent()).resolves.toMatch(/^1 added, 1 already present, 1 invalid\./);
    expect(await sources()).toBe(before);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    expect(await documentWidth()).toBeLessThanOrEqual(390);
    expect((await result.boundingBox())!.y).toBeLessThan(844);
  });

  it('deletes a source after a confirmation page', async () => {
    await logIn();
    await addGlobe();
    await importOpml();
    await page.getByRole('link', { name: 'Sources' }).click();
    const row = page.locator('table.sources tbody tr', { hasText: 'Second' });
    await row.getByRole('link', { name: 'Delete Second' }).click();
    await page.getByRole('heading', { name: 'Delete Second?' }).waitFor();
    await page.getByRole('button', { name: 'Delete Second' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Source deleted');
    await expect(page.locator('table.sources tbody tr').count()).resolves.toBe(1);
  });

  it('logs out', async () => {
    await logIn();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.goto(`${service.url}/admin/sources/1`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
  });
});
