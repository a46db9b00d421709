/**
 * The README's metrics table against a running service's GET /metrics, both ways, so the
 * table cannot drift from what operators scrape; and the per-host counters' labels.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { silentLog, testConfig } from '../helpers/context.ts';

let fixtures: FixtureServer;
let service: Service;
let scraped: string;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  fixtures.route('/ok.xml', { body: rssFeed('Ok', [{ guid: 'a', title: 'Seoul story', link: 'https://ok.example/a', description: 'Text.' }]) });
  fixtures.route('/gone-missing.xml', { status: 404, body: 'no such feed' });
  const config = testConfig({ sources: [{ url: fixtures.url('/ok.xml') }, { url: fixtures.url('/gone-missing.xml') }] });
  service = await serve({ ...readEnv({}), port: 0 }, config, silentLog, { handleSignals: false, database: await createTestDatabase() });
  await service.pollNow();
  const response = await fetch(`${service.url}/metrics`);
  expect(response.status).toBe(200);
  scraped = await response.text();
});
afterAll(async () => {
  await service?.stop();
  await fixtures?.close();
});

/** Metric names from the exposition's `# TYPE` lines: every registered metric, observed or not. */
function exposedMetrics(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((match) => match[1]!));
}

/** Rows of the README's `### Metrics` table: metric name and type. */
function readmeMetrics(): Map<string, { type: string; meaning: string }> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = /^### Metrics\n([\s\S]*?)(?=^##)/m.exec(readme)?.[1];
  if (section === undefined) throw new Error('README.md has no "### Metrics" section');
  const rows = new Map<string, { type: string; meaning: string }>();
  for (const match of section.matchAll(/^\| `([a-z0-9_]+)` +\| (\w+) +\|[^|]*\| (.*?) +\|$/gm)) rows.set(match[1]!, { type: match[2]!, meaning: match[3]! });
  return rows;
}

describe('README § Metrics', () => {
  it('lists every metric /metrics exposes', () => {
    const documented = readmeMetrics();
    const missing = [...exposedMetrics(scraped)].filter((name) => !documented.has(name));
    expect(missing, 'metrics exposed but not in the README table').toEqual([]);
  });

  it('lists no metric /metrics does not expose (Linux-only ones may be absent elsewhere)', () => {
    const exposed = exposedMetrics(scraped);
    const stale = [...readmeMetrics()]
      .filter(([name, row]) => !exposed.has(name) && !(process.platform !== 'linux' && row.meaning.includes('Linux only')))
      .map(([name]) => name);
    expect(stale, 'metrics in the README table that the service does not expose').toEqual([]);
  });

  it('gives each metric the type the service declares', () => {
    const documented = readmeMetrics();
    for (const [, name, type] of scraped.matchAll(/^# TYPE (\S+) (\S+)$/gm)) expect(documented.get(name!)?.type, name).toBe(type);
  });
});

describe('/metrics', () => {
  it('names the default metrics once with the service prefix (tidings_process_…, not tidings_process_process_…)', () => {
    expect(scraped).toMatch(/^tidings_process_cpu_seconds_total \d/m);
    expect(scraped).toMatch(/^tidings_nodejs_heap_size_used_bytes \d/m);
    expect(scraped).not.toContain('tidings_process_process_');
    expect(scraped).not.toContain('tidings_process_nodejs_');
  });

  it('counts requests and failures per host, labelled by host name alone', () => {
    expect(scraped).toMatch(/^tidings_host_requests_total\{host="127\.0\.0\.1",outcome="ok"\} 1$/m);
    expect(scraped).toMatch(/^tidings_host_requests_total\{host="127\.0\.0\.1",outcome="http_not_found"\} 1$/m);
    expect(scraped).toMatch(/^tidings_fetched_bytes_total\{host="127\.0\.0\.1"\} [1-9]/m);
    // Only host names: no port, path or URL in any host label.
    for (const [, host] of scraped.matchAll(/host="([^"]*)"/g)) expect(host).toBe('127.0.0.1');
  });
});
