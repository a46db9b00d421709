/**
 * The admin page's story views in headless Chromium (test/helpers/chromium.ts), JavaScript
 * off: from the sources page to a topic's stories and a story, from a source's items to their
 * story; then split a copy out, merge it back, hide and unhide a copy, each through the page's
 * own forms. Screenshots go to test-output/story-browser/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { syncConfigSources } from '../../src/store/config-sources.ts';
import { launchBrowser, type Browser } from '../helpers/chromium.ts';
import { clearContent, createTestDatabase } from '../helpers/database.ts';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';
import { routeStoryFeeds, storySources } from '../helpers/story-fixtures.ts';

const TOKEN = 'story-browser-admin-token-0123456789';
const OUTPUT = path.resolve('test-output/story-browser');

let feeds: FixtureServer;
let service: Service;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  feeds = await startFixtureServer();
  routeStoryFeeds(feeds);
  const config = testConfig({
    topics: [{ slug: 'korea', title: 'Korea' }],
    sources: storySources(feeds),
    polling: { schedule: '0 0 1 1 *', timeoutMs: 2000, allowPrivateNetworks: true, hostSpacing: 0 },
  });
  service = await serve({ ...readEnv({}), port: 0, adminToken: TOKEN }, config, silentLog, {
    handleSignals: false,
    database: await createTestDatabase(),
    pollAtStart: false,
  });
  browser = await launchBrowser({ viewport: { width: 1200, height: 900 } });
  page = browser.page;
  mkdirSync(OUTPUT, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await feeds?.close();
});

/** The three outlets, polled in order (the Wire founds the missile story); logged in on the sources page. */
beforeEach(async () => {
  await clearContent(service.context.database);
  await browser.context.clearCookies();
  await syncConfigSources(service.context.db, service.context.config.sources, new Date());
  const sources = await service.context.db.selectFrom('sources').select(['id', 'url']).execute();
  for (const { url } of storySources(feeds)) {
    const id = sources.find((s) => s.url === url)!.id;
    const polled = await fetch(`${service.url}/admin/api/sources/${id}/refresh`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(polled.status).toBe(200);
  }
  await page.goto(`${service.url}/admin`);
  await page.getByLabel('Admin token').fill(TOKEN);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Sources', exact: true }).waitFor();
});

const copies = () => page.locator('table.story-items tbody tr');
const status = () => page.getByRole('status').first().textContent();

/** From the sources page to the missile story, through the topic's stories. */
async function openMissileStory(): Promise<void> {
  await page.locator('#stories-links').getByRole('link', { name: 'Korea' }).click();
  await page.getByRole('heading', { name: 'Stories of Korea' }).waitFor();
  await page.getByRole('link', { name: 'North Korea fires missile' }).click();
  await page.getByRole('heading', { name: 'North Korea fires missile' }).waitFor();
}

describe('story pages in Chromium', () => {
  it('shows a story’s copies with why each joined, reached from the topic and from a source', async () => {
    await openMissileStory();
    await expect(copies().locator('td[data-label="Why it is here"]').allTextContents()).resolves.toEqual([
      'founded the story',
      expect.stringMatching(/^near-duplicate text of item #\d+ \("North Korea fires missile" from Wire Service\): bodies differ in 0 of 64 bits/),
      expect.stringMatching(/^same article URL as item #\d+ \("North Korea fires missile" from Wire Service\)$/),
    ]);
    await expect(copies().first().locator('td[data-label="State"]').textContent()).resolves.toContain('represents the story');
    await page.screenshot({ path: path.join(OUTPUT, 'story.png'), fullPage: true });
    const storyUrl = page.url();

    await page.getByRole('link', { name: 'The Daily' }).click();
    await page.getByRole('heading', { name: 'The Daily' }).waitFor();
    await page.getByRole('link', { name: 'Story of Missile launch, Daily copy' }).click();
    await page.getByRole('heading', { name: 'North Korea fires missile' }).waitFor();
    expect(page.url()).toBe(storyUrl);
  });

  it('splits a copy out, then merges it back', async () => {
    await openMissileStory();
    const storyUrl = page.url();
    await page.getByRole('button', { name: 'Split Missile launch, Daily copy out' }).click();
    await expect(status()).resolves.toContain('Split: the copy is a story of its own');
    await expect(copies().count()).resolves.toBe(2);
    const kept = page.locator('#splits li');
    await expect(kept.textContent()).resolves.toMatch(/^Missile launch, Daily copy #\d+ \(now in story #\d+\) is kept out of this story/);
    await page.screenshot({ path: path.join(OUTPUT, 'split.png'), fullPage: true });

    await kept.getByRole('link').click();
    await page.getByRole('heading', { name: 'Missile launch, Daily copy' }).waitFor();
    const storyId = /\/admin\/stories\/(\d+)$/.exec(storyUrl)![1]!;
    await page.getByLabel('Story ids').fill(storyId);
    await page.getByRole('button', { name: 'Merge' }).click();
    await expect(status()).resolves.toContain('Merged');
    // The oldest story stays: the merged page is the missile story's, with its three copies again.
    expect(page.url()).toBe(`${storyUrl}?done=merged`);
    await expect(copies().count()).resolves.toBe(3);
    await expect(page.locator('#splits').count()).resolves.toBe(0);
    await expect(copies().locator('td[data-label="Why it is here"]').last().textContent()).resolves.toMatch(/^merged in by an admin from story #\d+$/);
    await page.screenshot({ path: path.join(OUTPUT, 'merged.png'), fullPage: true });
  });

  it('merges two stories picked from the topic’s recent stories', async () => {
    await page.locator('#stories-links').getByRole('link', { name: 'Korea' }).click();
    await page.getByRole('link', { name: 'Seoul hosts summit' }).click();
    await page.getByRole('checkbox', { name: /Seoul markets close higher/ }).check();
    await page.getByRole('button', { name: 'Merge' }).click();
    await expect(status()).resolves.toContain('Merged');
    await page.getByRole('heading', { name: 'Seoul markets close higher' }).waitFor();
    await expect(copies().count()).resolves.toBe(2);
  });

  it('hides a copy, leaving the topic’s feed without it, and unhides it', async () => {
    await openMissileStory();
    const herald = copies().filter({ hasText: 'Herald' });
    await herald.getByRole('button', { name: /^Hide / }).click();
    await expect(status()).resolves.toContain('Hidden');
    await expect(copies().filter({ hasText: 'Herald' }).getAttribute('data-hidden')).resolves.toBe('true');
    await expect(copies().filter({ hasText: 'Herald' }).locator('td[data-label="State"]').textContent()).resolves.toMatch(/^hiddenby session [0-9a-f]{12} /);
    const feed = async () => (await fetch(`${service.url}/topics/korea/feed.json`)).text();
    expect(await feed()).not.toContain('herald.example');
    await page.screenshot({ path: path.join(OUTPUT, 'hidden.png'), fullPage: true });

    await copies()
      .filter({ hasText: 'Herald' })
      .getByRole('button', { name: /^Unhide / })
      .click();
    await expect(status()).resolves.toContain('Unhidden');
    await expect(copies().filter({ hasText: 'Herald' }).getAttribute('data-hidden')).resolves.toBe('false');
    expect(await feed()).toContain('herald.example');
    const log = await fetch(`${service.url}/admin/api/curation-log?limit=2`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const entries = ((await log.json()) as { entries: Array<{ action: string; actor: string }> }).entries;
    expect(entries.map((e) => e.action)).toEqual(['unhide', 'hide']);
    expect(entries[0]!.actor).toMatch(/^session [0-9a-f]{12}$/);
  });

  it('fits a phone-width screen', async () => {
    await openMissileStory();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(OUTPUT, 'phone-story.png'), fullPage: true });
    await page.setViewportSize({ width: 1200, height: 900 });
  });
});
