/**
 * The fetch stage through real sockets: the global and per-host caps on requests in flight.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeLookup } from '../../helpers/fake-dns.ts';
import { sendFeed, startServer, useFetchers, type TestServer } from '../../helpers/fetch-harness.ts';

const fetcher = useFetchers();

describe('fetch: concurrency caps', () => {
  let server: TestServer;
  const inFlight = { total: 0, peakTotal: 0, byHost: new Map<string, number>(), peakByHost: new Map<string, number>() };
  // Each request is held until `gate` requests are in flight at once (or 500 ms
  // pass): a correct cap fills up exactly to its limit, a broken one overshoots,
  // and a slow machine cannot make the peak look lower than the cap.
  let gate = 1;
  let waiting: Array<() => void> = [];
  beforeAll(async () => {
    server = await startServer({
      '/slow': async (req, res) => {
        const host = (req.headers.host ?? '').split(':')[0]!;
        inFlight.total += 1;
        inFlight.peakTotal = Math.max(inFlight.peakTotal, inFlight.total);
        const count = (inFlight.byHost.get(host) ?? 0) + 1;
        inFlight.byHost.set(host, count);
        inFlight.peakByHost.set(host, Math.max(inFlight.peakByHost.get(host) ?? 0, count));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 500);
          waiting.push(() => {
            clearTimeout(timer);
            resolve();
          });
          if (inFlight.total >= gate) {
            const release = waiting;
            waiting = [];
            // Let a broken limiter's extra requests arrive before answering.
            setTimeout(() => {
              for (const open of release) open();
            }, 20);
          }
        });
        inFlight.total -= 1;
        inFlight.byHost.set(host, (inFlight.byHost.get(host) ?? 1) - 1);
        sendFeed(res);
      },
    });
  });
  afterAll(() => server.close());
  afterEach(() => {
    inFlight.peakTotal = 0;
    inFlight.peakByHost.clear();
  });

  it('holds the global cap', async () => {
    gate = 3;
    const f = fetcher({ concurrency: 3, perHost: 10 });
    const results = await Promise.all(Array.from({ length: 9 }, () => f.fetchFeed({ url: `${server.origin}/slow` })));
    expect(results.every((r) => r.kind === 'ok')).toBe(true);
    expect(inFlight.peakTotal).toBe(3);
  });

  it('holds the per-host cap while other hosts proceed', async () => {
    gate = 4;
    const f = fetcher({
      concurrency: 10,
      perHost: 2,
      lookup: fakeLookup({ 'a.test': '127.0.0.1', 'b.test': '127.0.0.1' }),
    });
    const urls = ['a.test', 'b.test'].flatMap((host) => Array.from({ length: 6 }, () => `http://${host}:${server.port}/slow`));
    await Promise.all(urls.map((url) => f.fetchFeed({ url })));
    expect(inFlight.peakByHost.get('a.test')).toBe(2);
    expect(inFlight.peakByHost.get('b.test')).toBe(2);
    expect(inFlight.peakTotal).toBe(4);
  });
});
