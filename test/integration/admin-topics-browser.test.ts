/**
 * The admin page's topics in headless Chromium with JavaScript disabled (like
 * admin-browser.test.ts): create a topic with a preview of what enters it first, see it
 * listed and its feed serving the matching items, then delete it after the confirmation.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { launchBrowser, type Browser } from '../helpers/chromium.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

const TOKEN = 'topics-browser-admin-token-0123456789';
const OUTPUT = path.resolve('test-output/admin-topics-browser');

let fixtures: FixtureServer;
let service: Service;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  const recent = (hours: number) => new Date(Date.now() - hours * 3_600_000).toUTCString();
  fixtures.route('/wire.xml', {
    body: rssFeed('Wire', [
      { guid: 'w1', title: 'Missile test over the sea', link: 'https://wire.example/missile', pubDate: recent(3) },
      { guid: 'w2', title: 'Missile parade planned', link: 'https://wire.example/parade', pubDate: recent(2) },
      { guid: 'w3', title: 'Harvest ends early', link: 'https://wire.example/harvest', pubDate: recent(1) },
    ]),
  });
  const config = testConfig({ topics: [{ slug: 'korea', title: 'Korea', include: ['seoul'] }], sources: [{ url: fixtures.url('/wire.xml') }] });
  service = await serve({ ...readEnv({}), port: 0, adminToken: TOKEN }, config, silentLog, {
    handleSignals: false,
    database: await createTestDatabase(),
    pollAtStart: false,
  });
  await service.pollNow();
  browser = await launchBrowser({ viewport: { width: 1200, height: 900 } });
  page = browser.page;
  mkdirSync(OUTPUT, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await fixtures?.close();
});

async function feedStatus(slug: string): Promise<{ status: number; titles: string[] }> {
  await service.topicsSettled();
  await service.syncFeeds();
  const response = await fetch(`${service.url}/topics/${slug}/feed.json`);
  if (response.status !== 200) return { status: response.status, titles: [] };
  return { status: 200, titles: ((await response.json()) as { items: Array<{ title: string }> }).items.map((i) => i.title) };
}

describe('topics on the admin page in Chromium', () => {
  it('creates a topic after a preview, lists it, and deletes it after a confirmation', async () => {
    await page.goto(`${service.url}/admin`);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('link', { name: 'Topics', exact: true }).click();
    await page.getByRole('heading', { name: 'Topics', exact: true }).waitFor();
    await expect(page.locator('table.topics tbody tr').allTextContents()).resolves.toEqual([expect.stringContaining('Korea')]);

    await page.getByLabel('Slug').fill('missiles');
    await page.getByLabel('Title', { exact: true }).fill('Missiles');
    await page.getByLabel('Include rules').fill('title:missile');
    await page.getByLabel('Exclude rules').fill('parade');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('heading', { name: 'Preview' }).waitFor();
    await expect(page.locator('#topic-preview-counts').textContent()).resolves.toMatch(/^1 stored item would enter the topic, 0 would leave it/);
    await expect(page.locator('#topic-preview-enter li').allTextContents()).resolves.toEqual([
      expect.stringMatching(/^Missile test over the sea .*title:missile$/),
    ]);
    // Nothing is saved by a preview; the form is filled in again.
    expect((await feedStatus('missiles')).status).toBe(404);
    await expect(page.getByLabel('Include rules').inputValue()).resolves.toBe('title:missile');
    await page.screenshot({ path: path.join(OUTPUT, 'preview.png'), fullPage: true });

    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/Topic “Missiles” created: 1 stored item entered it/);
    await expect(page.locator('#topic-missiles').textContent()).resolves.toContain('title:missile');
    expect(await feedStatus('missiles')).toEqual({ status: 200, titles: ['Missile test over the sea'] });

    await page.getByRole('link', { name: 'Delete Missiles' }).click();
    await page.getByRole('heading', { name: 'Delete the topic Missiles?' }).waitFor();
    await page.getByRole('button', { name: 'Delete Missiles' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/Topic “Missiles” deleted/);
    await expect(page.locator('#topic-missiles').count()).resolves.toBe(0);
    expect((await feedStatus('missiles')).status).toBe(404);
    await page.screenshot({ path: path.join(OUTPUT, 'deleted.png'), fullPage: true });
  });

  it('edits a topic’s rules after a preview, and keeps the form when a rule does not read', async () => {
    await page.goto(`${service.url}/admin/topics/korea`);
    await page.getByLabel('Include rules').fill('seoul\nharvest');
    await page.getByLabel('Exclude rules').fill('title:');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Not saved: exclude phrase 1 is not a rule: title: has no phrase/);
    await expect(page.getByLabel('Include rules').inputValue()).resolves.toBe('seoul\nharvest');

    await page.getByLabel('Exclude rules').fill('');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect(page.locator('#topic-preview-enter li').allTextContents()).resolves.toEqual([expect.stringMatching(/^Harvest ends early .*harvest$/)]);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/Changes saved: 1 stored item entered it, 0 left it/);
    await expect(page.getByRole('status').nth(1).textContent()).resolves.toMatch(/comes from feeds\.config\.json/);
    expect((await feedStatus('korea')).titles).toEqual(['Harvest ends early']);
  });
});
