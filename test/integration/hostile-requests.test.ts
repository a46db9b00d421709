/**
 * Hostile requests to the public routes, on a service built by serve() over a real
 * database: impossible dates, NUL bytes, invalid UTF-8 and absurd lengths in route
 * parameters and query strings get a 4xx in the usual error shape (an HTML page when a
 * browser asks), never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

let service: Service;

beforeAll(async () => {
  const config = testConfig({ topics: [{ slug: 'korea', title: 'Korea', include: ['seoul'] }] });
  service = await serve({ ...readEnv({}), port: 0 }, config, silentLog, { handleSignals: false, database: await createTestDatabase(), pollAtStart: false });
});
afterAll(async () => {
  await service?.stop();
});

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; text: string }> {
  const response = await fetch(`${service.url}${path}`, { headers });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

describe('public routes refuse bad input with a 4xx', () => {
  it.each(['2026-13-45', '2026-02-30', '0000-00-00', '2026-02-29', '2026-00-10', '2026-04-31', '9999-99-99'])(
    'answers 400 for the impossible digest date %s',
    async (date) => {
      const answer = await get(`/topics/korea/digest/${date}`);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text).error).toEqual({
        code: 'invalid_date',
        message: `no such date: ${date} (a digest is named by its date, like 2026-11-24)`,
      });
    },
  );

  it('answers 404 for a real date without a digest, leap days included', async () => {
    for (const date of ['2024-02-29', '2026-12-31', '2026-01-01']) {
      const answer = await get(`/topics/korea/digest/${date}`);
      expect([date, answer.status, JSON.parse(answer.text).error.code]).toEqual([date, 404, 'unknown_digest']);
    }
  });

  it.each([
    ['a NUL after a date', '/topics/korea/digest/2026-01-01%00'],
    ['a NUL date', '/topics/korea/digest/%00'],
    ['a lone surrogate date', '/topics/korea/digest/%ED%A0%80'],
    ['a 300-digit date', `/topics/korea/digest/${'9'.repeat(300)}`],
    ['a NUL topic', '/topics/%00/rss.xml'],
    ['a NUL topic with a date', '/topics/%00/digest/2026-01-01'],
    ['a lone surrogate topic', '/topics/%ED%A0%80/atom.xml'],
    ['an overlong UTF-8 topic', '/topics/%C0%AF/feed.json'],
    ['a truncated escape', '/topics/%E0%A4%A/rss.xml'],
    ['a 5000-character topic', `/topics/${'k'.repeat(5000)}/rss.xml`],
    ['a NUL limit', '/topics/korea/rss.xml?limit=%00'],
    ['a lone surrogate limit', '/topics/korea/rss.xml?limit=%ED%A0%80'],
    ['an exponent limit', '/topics/korea/rss.xml?limit=1e3'],
    ['a 5000-digit limit', `/topics/korea/rss.xml?limit=${'1'.repeat(5000)}`],
    ['a negative limit', '/topics/korea/feed.json?limit=-1'],
    ['a NUL path', '/%00'],
    ['a NUL after a page', '/topics.opml%00'],
  ])('answers a 4xx with the error shape to %s', async (_label, path) => {
    const answer = await get(path);
    expect(answer.status, path).toBeGreaterThanOrEqual(400);
    expect(answer.status, path).toBeLessThan(500);
    expect(JSON.parse(answer.text).error, path).toEqual({ code: expect.any(String), message: expect.any(String) });
  });

  it('answers browsers with an HTML error page, escaping what the URL said', async () => {
    const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
    const date = await get('/topics/korea/digest/2026-02-30', html);
    expect(date.status).toBe(400);
    expect(date.type).toMatch(/^text\/html/);
    expect(date.text).toContain('no such date: 2026-02-30');
    const topic = await get('/topics/%3Cscript%3E/digest/2026-01-01', html);
    expect(topic.status).toBe(404);
    expect(topic.type).toMatch(/^text\/html/);
    expect(topic.text).toContain('no topic &quot;&lt;script&gt;&quot;');
    expect(topic.text).not.toContain('<script>');
    const missing = await get('/nothing-here', html);
    expect([missing.status, missing.type.split(';')[0]]).toEqual([404, 'text/html']);
  });
});
