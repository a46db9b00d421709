/**
 * The limit of our own stack, measured in the same run: the same bytes fetched with plain
 * undici request() at the same concurrency and parsed with rss-parser, no database.
 */
import Parser from 'rss-parser';
import { Agent, request } from 'undici';

export async function fetchAndParseBaseline(urls: string[], concurrency: number): Promise<{ seconds: number; items: number; bytes: number }> {
  const agent = new Agent({ connections: concurrency });
  let next = 0;
  let items = 0;
  let bytes = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < urls.length) {
      const url = urls[next++]!;
      const response = await request(url, { dispatcher: agent });
      const text = await response.body.text();
      bytes += Buffer.byteLength(text);
      items += (await new Parser().parseString(text)).items.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await agent.close();
  return { seconds, items, bytes };
}
