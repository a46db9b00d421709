/**
 * Figures for the pure functions whose cost must stay linear in their input: an item's text
 * signature (story grouping) and the feed and OPML parsers on hostile documents. The tests
 * check what these functions return; how long they take is measured here, where a loaded
 * machine changes a figure instead of failing a test.
 *
 * Each time is the best of several runs (a run descheduled on a busy machine must not pass
 * for a slow step). The ratios are the figures to watch: for an input k times larger, a
 * linear step costs about k times more, a quadratic one about k² times.
 */
import { textSignature } from '../src/dedupe/index.ts';
import { parseOpml } from '../src/ingest/opml-parse.ts';
import { parseFeed } from '../src/ingest/parse/index.ts';
import { buildCorpus } from './corpus.ts';

export interface PureFigure {
  name: string;
  value: number;
  unit: string;
  target?: { text: string; met: boolean };
}

function bestOf(runs: number, run: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

async function bestOfAsync(runs: number, run: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** A 3 KB plain-text news body, from the synthetic corpus (cut at a word). */
function threeKilobyteBody(): string {
  const html = buildCorpus({ feeds: 1, seed: 7 })[0]!
    .items.map((item) => item.html)
    .join(' ');
  let text = html
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  while (Buffer.byteLength(text) > 3072) text = text.slice(0, text.lastIndexOf(' '));
  return text;
}

/** textSignature per 3 KB body, and for a body 30 times longer. */
export function textSignatureFigures(): PureFigure[] {
  const body = threeKilobyteBody();
  const inputs = Array.from({ length: 100 }, (_, i) => ({ title: `Title ${i}`, text: body.slice(i) }));
  const signAll = () => {
    for (const input of inputs) textSignature(input);
  };
  bestOf(5, signAll); // warm up the JIT
  const shortMicros = (bestOf(10, signAll) * 1000) / inputs.length;
  const long = { title: 'long', text: Array.from({ length: 30 }, () => body).join(' ') };
  const longMicros = bestOf(10, () => textSignature(long)) * 1000;
  const ratio = longMicros / shortMicros;
  return [
    { name: 'textSignature: one 3 KB body', value: shortMicros, unit: 'µs' },
    { name: 'textSignature: a 90 KB body', value: longMicros, unit: 'µs' },
    // 30 times the text: ~30× when linear, ~900× with a quadratic step.
    { name: 'textSignature: 90 KB / 3 KB', value: ratio, unit: '×', target: { text: '< 100', met: ratio < 100 } },
  ];
}

const rss = (items: string) => `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${items}</channel></rss>`;

/** Hostile documents of about `bytes` bytes (the cases of test/unit/ingest/parse/parse-feed.test.ts). */
const HOSTILE_FEEDS: Record<string, (bytes: number) => string> = {
  'unclosed elements': (bytes) => `<rss version="2.0"><channel>’${'<title>x '.repeat(bytes / 9)}`,
  'bare ampersands': (bytes) => rss(`<item><title>’${'a & b &c; '.repeat(bytes / 10)}</title></item>`),
  'stray end tags': (bytes) => rss(`<item><title>’x</title>${'</b>'.repeat(bytes / 4)}</item>`),
  'nested text constructs': (bytes) => `<rss version="2.0"><channel><item>’${'<description>'.repeat(bytes / 13)}`,
};

const size = (bytes: number) => (bytes >= 1_000_000 ? `${bytes / 1_000_000} MB` : `${Math.round(bytes / 1000)} KB`);

/** parseFeed on `bytes` of each hostile document, and the time against a quarter of it; parseOpml likewise. */
export async function hostileParsingFigures(bytes: number): Promise<PureFigure[]> {
  const figures: PureFigure[] = [];
  // 4 times the input: ~4× when linear, ~16× when quadratic.
  const ratio = (name: string, quarterMs: number, wholeMs: number): PureFigure => ({
    name: `${name}: ${size(bytes)} / ${size(bytes / 4)}`,
    value: wholeMs / quarterMs,
    unit: '×',
    target: { text: '< 10', met: wholeMs / quarterMs < 10 },
  });
  const parse = (text: string) => parseFeed(text).catch(() => undefined); // refusing is an answer too
  for (const [name, build] of Object.entries(HOSTILE_FEEDS)) {
    const [quarter, whole] = [build(bytes / 4), build(bytes)];
    await parse(quarter); // warm up
    const quarterMs = await bestOfAsync(3, () => parse(quarter));
    const wholeMs = await bestOfAsync(2, () => parse(whole));
    figures.push({ name: `parseFeed: ${size(bytes)} of ${name}`, value: wholeMs, unit: 'ms' });
    figures.push(ratio(`parseFeed on ${name}`, quarterMs, wholeMs));
  }
  // A tag that never closes, made of attributes (`a="b" ` is 6 bytes).
  const unclosedTag = (length: number) => `<opml><body><outline ${'a="b" '.repeat(Math.round(length / 6))}`;
  const [quarter, whole] = [unclosedTag(bytes / 4), unclosedTag(bytes)];
  bestOf(3, () => parseOpml(quarter)); // warm up
  const quarterMs = bestOf(5, () => parseOpml(quarter));
  const wholeMs = bestOf(5, () => parseOpml(whole));
  figures.push({ name: `parseOpml: a ${size(bytes)} tag that never closes`, value: wholeMs, unit: 'ms' });
  figures.push(ratio('parseOpml on an unclosed tag', quarterMs, wholeMs));
  return figures;
}
