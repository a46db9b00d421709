import { launchBrowser } from '../helpers/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDigest, periodForDate } from '../../jobs/build-digests.ts';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

const SEOUL_PERIOD = 'Tuesday 1 December, 07:00 – Wednesday 2 December, 07:00 KST';
const SEOUL_TITLE = `Korea daily digest: ${SEOUL_PERIOD}`;
const BERLIN_TITLE = 'World weekly digest: Monday 23 November, 08:00 – Monday 30 November, 08:00 CET';

let fixtures: FixtureServer;
let service: Service;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  fixtures.route('/news.xml', {
    body: rssFeed('Han River News', [
      // 10:00 KST on Tuesday 1 December: in the digest dated Wednesday 2 December.
      {
        guid: 'n1',
        title: 'Seoul opens a new subway line',
        link: 'https://han.example/subway',
        pubDate: 'Tue, 01 Dec 2026 01:00:00 GMT',
        description: 'Trains run.',
      },
      // 12:00 CET on Thursday 26 November: in the week ending Monday 30 November.
      { guid: 'n2', title: 'Berlin hosts a summit', link: 'https://han.example/summit', pubDate: 'Thu, 26 Nov 2026 11:00:00 GMT', description: 'Leaders met.' },
    ]),
  });
  const config = testConfig({
    topics: [
      { slug: 'korea', title: 'Korea', include: ['seoul'], digest: { time: '07:00', timezone: 'Asia/Seoul' } },
      { slug: 'world', title: 'World', include: ['berlin'], digest: { period: 'weekly', weekday: 'monday', time: '08:00', timezone: 'Europe/Berlin' } },
    ],
    sources: [{ url: fixtures.url('/news.xml') }],
  });
  const env = { ...readEnv({}), port: 0, publicUrl: 'http://feeds.test' };
  service = await serve(env, config, silentLog, { handleSignals: false, database: await createTestDatabase() });
  await service.pollNow();
  const [korea, world] = service.context.topics.current().list;
  await buildDigest(service.context, { topic: korea!, period: periodForDate(korea!, '2026-12-02'), replace: true });
  await buildDigest(service.context, { topic: world!, period: periodForDate(world!, '2026-11-30'), replace: true });
  await service.syncFeeds();
});
afterAll(async () => {
  await service?.stop();
  await fixtures?.close();
});

const text = async (route: string) => {
  const response = await fetch(`${service.url}${route}`);
  expect(response.status).toBe(200);
  return response.text();
};
const firstItem = (xml: string, element: string) => new RegExp(`<${element}>([\\s\\S]*?)</${element}>`).exec(xml)![1]!;

describe('a Seoul daily digest', () => {
  it('is titled and summarized with its period in Seoul time in RSS', async () => {
    const item = firstItem(await text('/topics/korea/digest/rss.xml'), 'item');
    expect(item).toContain(`<title>${SEOUL_TITLE}</title>`);
    expect(item).toContain(`<description>1 top story published ${SEOUL_PERIOD}</description>`);
    expect(item).toContain(`&lt;h2&gt;${SEOUL_TITLE}&lt;/h2&gt;`);
    expect(item).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });

  it('is titled and summarized with its period in Seoul time in Atom', async () => {
    const entry = firstItem(await text('/topics/korea/digest/atom.xml'), 'entry');
    expect(entry).toContain(`<title type="text">${SEOUL_TITLE}</title>`);
    expect(entry).toContain(`<summary type="text">1 top story published ${SEOUL_PERIOD}</summary>`);
    expect(entry).toContain(`&lt;h2&gt;${SEOUL_TITLE}&lt;/h2&gt;`);
  });

  it('is titled and summarized with its period in Seoul time in JSON Feed', async () => {
    const feed = JSON.parse(await text('/topics/korea/digest/feed.json'));
    expect(feed.description).toBe('The top Korea stories, in one entry daily at 07:00 Asia/Seoul time');
    expect(feed.items[0]).toMatchObject({ title: SEOUL_TITLE, summary: `1 top story published ${SEOUL_PERIOD}` });
    expect(feed.items[0].content_html).toContain(`<h2>${SEOUL_TITLE}</h2>`);
  });

  it('keeps the entry id it has always had: topic and period date only', async () => {
    const feed = JSON.parse(await text('/topics/korea/digest/feed.json'));
    // The id published before periods were named locally (nameUuid('digest:korea:2026-12-02')).
    expect(feed.items[0].id).toBe('urn:uuid:2e36ae14-046e-5eca-b01c-6045a7ecf18f');
  });
});

describe('a Berlin weekly digest', () => {
  it('names the whole week in Berlin time', async () => {
    const feed = JSON.parse(await text('/topics/world/digest/feed.json'));
    expect(feed.items[0]).toMatchObject({ id: 'urn:uuid:f6d86ba2-6a66-5e92-a7ae-c78928c97e61', title: BERLIN_TITLE });
    expect(feed.items[0].summary).toBe('1 top story published Monday 23 November, 08:00 – Monday 30 November, 08:00 CET');
  });
});

describe('the pages', () => {
  it('say on the index page when each digest comes out', async () => {
    const page = await text('/');
    expect(page).toContain('Digest, one entry daily at 07:00 Asia/Seoul time:');
    expect(page).toContain('Digest, one entry weekly on Monday at 08:00 Europe/Berlin time:');
  });

  it("show a digest's period in Seoul time on its page, in a browser", async () => {
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      await page.goto(`${service.url}/topics/korea/digest/2026-12-02`);
      expect(await page.title()).toBe(SEOUL_TITLE);
      expect(await page.getByRole('heading', { level: 2 }).textContent()).toBe(SEOUL_TITLE);
      expect(await page.locator('p.tagline').textContent()).toBe(`Stories published ${SEOUL_PERIOD}.`);
    } finally {
      await browser.close();
    }
  });
});
