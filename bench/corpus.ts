/**
 * A deterministic synthetic corpus for the benchmark: N feeds (RSS 2.0 and Atom mixed),
 * 20–100 items each with realistic HTML bodies (0.5–3 KB), categories and dates; about
 * 30% of items are republished by other feeds under different URLs (tracking
 * parameters, www/m hosts) and different guids, as wire stories are.
 */

/** mulberry32: a tiny seeded PRNG, so every run builds the same corpus. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'north south korea seoul pyongyang talks missile launch summit minister president government officials said ' +
  'economy market trade exports growth bank rates inflation election parliament opposition party vote ' +
  'military drills border alliance security sanctions nuclear program peninsula analysts report statement ' +
  'week today yesterday monday tuesday wednesday thursday friday city region province agency spokesperson ' +
  'weather storm rain heat festival culture film music sports league season team coach record ' +
  'company shares investors technology chip semiconductor battery electric vehicle plant workers union strike'
).split(' ');
const CATEGORIES = ['Politics', 'North Korea', 'Economy', 'World', 'Culture', 'Sports', 'Technology', 'Defense'];

export interface CorpusItem {
  guid: string;
  url: string;
  title: string;
  html: string;
  categories: string[];
  published: Date;
}

export interface CorpusFeed {
  index: number;
  format: 'rss' | 'atom';
  title: string;
  items: CorpusItem[];
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function sentence(random: () => number, words: number): string {
  const text = Array.from({ length: words }, () => pick(random, WORDS)).join(' ');
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

function body(random: () => number): string {
  const target = 500 + Math.floor(random() * 2500);
  const parts: string[] = [];
  let size = 0;
  while (size < target) {
    const paragraph = Array.from({ length: 2 + Math.floor(random() * 4) }, () => sentence(random, 8 + Math.floor(random() * 14))).join(' ');
    const html = random() < 0.2 ? `<p>${paragraph} <a href="/related/${Math.floor(random() * 1e6)}">Related</a></p>` : `<p>${paragraph}</p>`;
    parts.push(html);
    size += html.length;
  }
  if (random() < 0.3)
    parts.splice(
      1,
      0,
      `<figure><img src="https://img.example/${Math.floor(random() * 1e6)}.jpg" alt="photo"><figcaption>${sentence(random, 6)}</figcaption></figure>`,
    );
  return parts.join('\n');
}

export interface CorpusOptions {
  feeds: number;
  seed: number;
  /** Share of items that are republished copies of another feed's item. */
  republishedShare?: number;
  now?: Date;
}

export function buildCorpus(options: CorpusOptions): CorpusFeed[] {
  const random = seededRandom(options.seed);
  const now = (options.now ?? new Date('2026-11-24T00:00:00Z')).getTime();
  const share = options.republishedShare ?? 0.3;
  const feeds: CorpusFeed[] = [];
  const originals: CorpusItem[] = [];
  for (let f = 0; f < options.feeds; f++) {
    const count = 20 + Math.floor(random() * 81);
    const items: CorpusItem[] = [];
    for (let i = 0; i < count; i++) {
      const published = new Date(now - Math.floor(random() * 7 * 86_400_000));
      if (originals.length > 50 && random() < share) {
        // A republished copy: same story and body, another URL form and guid.
        const original = pick(random, originals);
        const variant = pick(random, ['?utm_source=rss&utm_medium=feed', `?fbclid=x${f}`, '#top']);
        const host = pick(random, ['www.', 'm.', '']);
        items.push({
          ...original,
          guid: `feed${f}-copy-${i}`,
          url: original.url.replace('https://', `https://${host}`) + variant,
          title: random() < 0.5 ? original.title : `${original.title} - Outlet ${f}`,
          published: new Date(original.published.getTime() + Math.floor(random() * 3_600_000)),
        });
        continue;
      }
      const item: CorpusItem = {
        guid: `feed${f}-item-${i}`,
        url: `https://outlet${f}.example/news/${f}-${i}`,
        title: sentence(random, 5 + Math.floor(random() * 8)).slice(0, -1),
        html: body(random),
        categories: [pick(random, CATEGORIES), ...(random() < 0.5 ? [pick(random, CATEGORIES)] : [])],
        published,
      };
      items.push(item);
      originals.push(item);
    }
    feeds.push({ index: f, format: random() < 0.5 ? 'rss' : 'atom', title: `Outlet ${f}`, items });
  }
  return feeds;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderCorpusFeed(feed: CorpusFeed, selfUrl: string): string {
  if (feed.format === 'rss') {
    const items = feed.items
      .map(
        (item) =>
          `<item><title>${escapeXml(item.title)}</title><link>${escapeXml(item.url)}</link><guid isPermaLink="false">${item.guid}</guid>` +
          `<pubDate>${item.published.toUTCString()}</pubDate>${item.categories.map((c) => `<category>${c}</category>`).join('')}` +
          `<description><![CDATA[${item.html}]]></description></item>`,
      )
      .join('\n');
    return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>${feed.title}</title><link>https://outlet${feed.index}.example/</link><description>${feed.title}</description>\n${items}\n</channel></rss>\n`;
  }
  const entries = feed.items
    .map(
      (item) =>
        `<entry><title>${escapeXml(item.title)}</title><link rel="alternate" href="${escapeXml(item.url)}"/><id>urn:bench:${item.guid}</id>` +
        `<updated>${item.published.toISOString()}</updated><published>${item.published.toISOString()}</published>` +
        `${item.categories.map((c) => `<category term="${c}"/>`).join('')}<author><name>Reporter</name></author>` +
        `<content type="html">${escapeXml(item.html)}</content></entry>`,
    )
    .join('\n');
  const updated = feed.items.reduce((max, i) => Math.max(max, i.published.getTime()), 0);
  return `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>${feed.title}</title><id>urn:bench:feed:${feed.index}</id><updated>${new Date(updated).toISOString()}</updated><link rel="self" href="${escapeXml(selfUrl)}"/>\n${entries}\n</feed>\n`;
}
