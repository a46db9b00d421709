/**
 * The week's publishers: 45 feeds from the config on 14 hosts in every format Tidings reads
 * (RSS 0.91/1.0/2.0, EUC-KR RSS, Atom with and without <published>), and the feeds admins add
 * during the week. Each publishes its own stories at its own rate, corrects some headlines,
 * deletes some items, answers 304 (or not), sets ttl / max-age / Expires, fails for hours,
 * answers 429/503 with Retry-After, moves with 301 (to a new URL and onto another source) or
 * goes 410. A wire service's stories are republished by others: the same article under tracking
 * parameters, AMP and mobile URLs, edited headlines, and "Share … Source link" boilerplate.
 */
import { seededRandom, type Random } from './random.ts';
import { body, headline, type Language } from './text.ts';
import { at, type World, type WorldFeed, type WorldFormat, type WorldItem } from './world.ts';

type FeedSpec = Omit<WorldFeed, 'outages' | 'validators' | 'listSize' | 'language' | 'topics' | 'origin'> &
  Partial<Pick<WorldFeed, 'outages' | 'validators' | 'listSize' | 'language' | 'topics' | 'origin'>>;

function feed(spec: FeedSpec): WorldFeed {
  return { outages: [], validators: 'etag', listSize: 20, language: 'en', topics: [], origin: 'config', ...spec };
}

function feeds(start: Date): WorldFeed[] {
  const h = (hours: number) => at(start, hours);
  const blogFormats: WorldFormat[] = ['rss2', 'atom', 'atom-updated', 'rss2', 'rss1', 'atom'];
  const blogs = Array.from({ length: 22 }, (_, i) => {
    const letter = String.fromCharCode(97 + i);
    const korea = i % 2 === 0;
    return feed({
      id: `blog-${letter}`,
      // Six blogs a host: several feeds of one host are due at once now and then (hostSpacing).
      host: `blogs-${Math.floor(i / 6) + 1}.sim`,
      path: `/${letter}.xml`,
      title: `Blog ${letter.toUpperCase()}`,
      format: blogFormats[i % blogFormats.length]!,
      // Blogs have no topics: their items enter by the topics' phrases.
      phrase: korea ? (i % 4 === 0 ? 'Seoul' : 'North Korea') : i % 3 === 0 ? 'Europe' : 'Gardening',
      meanGapMinutes: 180 + 60 * (i % 7),
      listSize: 10,
      validators: i % 5 === 4 ? 'none' : 'etag',
      ...(i === 3 ? { ttlMinutes: 240 } : {}),
      ...(i === 12 ? { movedTo: { at: h(58), path: '/n.xml' } } : {}), // onto blog-n: a merge
      ...(i === 14 ? { goneAt: h(122) } : {}),
    });
  });
  return [
    // The wire service: two feeds of one outlet carry the same NK articles (same URLs).
    feed({
      id: 'wire-en',
      host: 'wire.sim',
      path: '/en/all.xml',
      title: 'Wire English',
      format: 'rss2',
      topics: ['korea'],
      phrase: 'Seoul',
      meanGapMinutes: 120,
      listSize: 30,
    }),
    feed({
      id: 'wire-nk',
      host: 'wire.sim',
      path: '/en/nk.xml',
      title: 'Wire NK',
      format: 'rss2',
      topics: ['korea'],
      phrase: 'North Korea',
      meanGapMinutes: null,
      validators: 'both',
    }),
    feed({
      id: 'wire-ko',
      host: 'wire.sim',
      path: '/ko/all.xml',
      title: '연합 뉴스',
      format: 'rss2-euckr',
      language: 'ko',
      topics: ['korea'],
      phrase: '북한',
      meanGapMinutes: 150,
    }),
    feed({
      id: 'herald-national',
      host: 'herald.sim',
      path: '/rss/national.xml',
      title: 'Herald National',
      format: 'atom',
      topics: ['korea'],
      phrase: 'Seoul',
      meanGapMinutes: 200,
    }),
    feed({
      id: 'herald-business',
      host: 'herald.sim',
      path: '/rss/business.xml',
      title: 'Herald Business',
      format: 'atom-updated',
      topics: ['korea'],
      phrase: 'South Korea',
      meanGapMinutes: 200,
    }),
    feed({
      id: 'joongang-politics',
      host: 'joongang.sim',
      path: '/feed/politics',
      title: 'JoongAng Politics',
      format: 'rss2',
      topics: ['korea'],
      phrase: 'Seoul',
      meanGapMinutes: 180,
      maxAgeSeconds: 3600,
    }),
    feed({
      id: 'joongang-nk',
      host: 'joongang.sim',
      path: '/feed/nk',
      title: 'JoongAng NK',
      format: 'rss2',
      topics: ['korea'],
      phrase: 'Pyongyang',
      meanGapMinutes: 240,
      ttlMinutes: 180,
    }),
    feed({
      id: 'nknews',
      host: 'nknews.sim',
      path: '/feed/',
      title: 'NK Desk',
      format: 'atom-updated',
      topics: ['korea'],
      phrase: 'Pyongyang',
      meanGapMinutes: 240,
      expiresSeconds: 7200,
    }),
    feed({
      id: 'nknews-analysis',
      host: 'nknews.sim',
      path: '/feed/analysis/',
      title: 'NK Desk Analysis',
      format: 'rss1',
      topics: ['korea'],
      phrase: 'North Korea',
      meanGapMinutes: 600,
    }),
    feed({
      id: 'hani-en',
      host: 'hani.sim',
      path: '/rss/english.xml',
      title: 'Hani English',
      format: 'rss091',
      topics: ['korea'],
      phrase: 'Seoul',
      meanGapMinutes: 300,
      undated: true,
    }),
    feed({
      id: 'hani-ko',
      host: 'hani.sim',
      path: '/rss/korean.xml',
      title: '한겨레',
      format: 'rss2-euckr',
      language: 'ko',
      topics: ['korea'],
      phrase: '서울',
      meanGapMinutes: 200,
    }),
    feed({
      id: 'chosun',
      host: 'chosun.sim',
      path: '/arc/rss/',
      title: 'Chosun',
      format: 'rss2',
      topics: ['korea'],
      phrase: 'Seoul',
      meanGapMinutes: 180,
      validators: 'last-modified',
    }),
    feed({
      id: 'chosun-nk',
      host: 'chosun.sim',
      path: '/arc/rss/nk',
      title: 'Chosun NK',
      format: 'rss2',
      topics: ['korea'],
      phrase: 'North Korea',
      meanGapMinutes: 260,
      movedTo: { at: h(40), path: '/arc/outbound/nk.xml' },
    }),
    feed({
      id: 'kbs-world',
      host: 'kbs.sim',
      path: '/rss/world.xml',
      title: 'KBS World',
      format: 'rss2',
      topics: ['korea'],
      phrase: 'South Korea',
      meanGapMinutes: 200,
      outages: [{ from: h(32), to: h(38), status: 500 }],
    }),
    feed({
      id: 'kbs-nk',
      host: 'kbs.sim',
      path: '/rss/nk.xml',
      title: 'KBS NK',
      format: 'atom',
      topics: ['korea'],
      phrase: 'Pyongyang',
      meanGapMinutes: 330,
      outages: [{ from: h(74), to: h(77), status: 503, retryAfterSeconds: 7200 }],
    }),
    feed({
      id: 'arirang',
      host: 'arirang.sim',
      path: '/news/rss',
      title: 'Arirang',
      format: 'rss2',
      topics: ['korea'],
      phrase: 'Seoul',
      meanGapMinutes: 190,
      outages: [{ from: h(105), to: h(107), status: 429, retryAfterSeconds: 3600 }],
    }),
    // Republishers of the wire's stories (and nothing else).
    feed({
      id: 'repub-share',
      host: 'aggregator.sim',
      path: '/republish-1.xml',
      title: 'Aggregator One',
      format: 'rss2',
      topics: ['korea'],
      phrase: 'Seoul',
      meanGapMinutes: null,
    }),
    feed({
      id: 'repub-share-twice',
      host: 'aggregator.sim',
      path: '/republish-1.xml?format=rss',
      title: 'Aggregator One (again)',
      format: 'rss2',
      topics: ['korea'],
      phrase: 'Seoul',
      meanGapMinutes: null,
    }),
    feed({
      id: 'repub-amp',
      host: 'aggregator.sim',
      path: '/republish-2.xml',
      title: 'Aggregator Two',
      format: 'atom',
      topics: ['korea'],
      phrase: 'Seoul',
      meanGapMinutes: null,
    }),
    feed({
      id: 'repub-own',
      host: 'aggregator.sim',
      path: '/republish-3.xml',
      title: 'Aggregator Three',
      format: 'rss2',
      topics: ['korea'],
      phrase: 'Seoul',
      meanGapMinutes: null,
    }),
    feed({
      id: 'repub-ko',
      host: 'aggregator.sim',
      path: '/republish-ko.xml',
      title: '모음 뉴스',
      format: 'rss2',
      language: 'ko',
      topics: ['korea'],
      phrase: '북한',
      meanGapMinutes: null,
    }),
    // Publishers that stop: one three days before the week starts (stale by mid-week), one
    // mid-week (not stale before the week ends: a week at least must pass). No topic has them.
    feed({
      id: 'quiet-early',
      host: 'quiet.sim',
      path: '/early.xml',
      title: 'Quiet Early',
      format: 'rss2',
      phrase: 'Gardening',
      meanGapMinutes: 120,
      archiveHours: 240,
      stopsAt: h(-72),
    }),
    feed({
      id: 'quiet-midweek',
      host: 'quiet.sim',
      path: '/midweek.xml',
      title: 'Quiet Midweek',
      format: 'atom',
      phrase: 'Gardening',
      meanGapMinutes: 150,
      stopsAt: h(84),
    }),
    ...blogs,
    feed({
      id: 'teasers',
      host: 'teasers.sim',
      path: '/teasers.xml',
      title: 'Teaser Daily',
      format: 'rss2',
      phrase: 'Seoul',
      meanGapMinutes: 240,
      listSize: 10,
      fullContent: true,
    }),
    // Added during the week: by the admin API, the CLI, an OPML import.
    feed({
      id: 'late-api',
      host: 'late.sim',
      path: '/feed',
      title: 'Late Joiner',
      format: 'rss2',
      topics: ['korea'],
      phrase: 'Seoul',
      meanGapMinutes: 240,
      origin: 'api',
    }),
    feed({
      id: 'late-cli',
      host: 'late.sim',
      path: '/cli.xml',
      title: 'Late CLI',
      format: 'atom',
      topics: ['korea'],
      phrase: 'North Korea',
      meanGapMinutes: 300,
      origin: 'cli',
    }),
    feed({ id: 'opml-a', host: 'opml.sim', path: '/a.xml', title: 'OPML A', format: 'rss2', phrase: 'Europe', meanGapMinutes: 360, origin: 'opml' }),
    feed({ id: 'opml-b', host: 'opml.sim', path: '/b.xml', title: 'OPML B', format: 'atom-updated', phrase: 'Seoul', meanGapMinutes: 420, origin: 'opml' }),
  ];
}

const OUTLET_SUFFIX = ' | Aggregator Three';
/**
 * Stretches every feed's publishing gaps: the week's polls (and its wall-clock time) follow
 * how often the publishers publish.
 */
const GAP_SCALE = 1.5;

/** A feed's own stories, from two days before the start (its archive) to the end, or until it stops. */
function ownItems(random: Random, f: WorldFeed, start: Date, end: Date): WorldItem[] {
  if (f.meanGapMinutes === null) return [];
  const items: WorldItem[] = [];
  const stop = f.goneAt ?? f.movedTo?.at ?? f.stopsAt ?? end;
  const gapMinutes = f.meanGapMinutes * GAP_SCALE;
  let t = at(start, -(f.archiveHours ?? 48)).getTime() + random.next() * gapMinutes * 60_000;
  for (let n = 0; t < stop.getTime(); n++) {
    const publishedAt = new Date(Math.floor(t / 1000) * 1000);
    // A teaser's page is on the publisher's own host (its port is added once the server listens).
    const url = f.fullContent ? `http://${f.host}/articles/${n}` : `https://www.${f.host.replace('.sim', '.example')}${f.path.replace(/\W+/g, '/')}${n}`;
    const title = headline(random, f.language, f.phrase);
    const edited = random.next() < 0.15;
    items.push({
      feedId: f.id,
      key: f.format === 'rss091' || f.format === 'rss1' ? url : `${f.id}:${n}`,
      guid: f.format === 'rss091' || f.format === 'rss1' ? null : `${f.id}:${n}`,
      url,
      storyKey: `${f.id}:${n}`,
      language: f.language,
      publishedAt,
      title,
      paragraphs: body(random, f.language, f.phrase),
      edits: edited ? [{ at: new Date(publishedAt.getTime() + 26 * 3_600_000), title: `${title} (updated)` }] : [],
      removedAt: random.next() < 0.05 ? new Date(publishedAt.getTime() + 36 * 3_600_000) : null,
      wrapper: null,
    });
    t += gapMinutes * 60_000 * (0.4 + 1.2 * random.next());
  }
  return items;
}

/**
 * The wire's stories and their copies. Each story is published by wire-en (NK ones by wire-nk
 * too, same URL: one outlet, two feeds); the aggregators republish it later: with tracking
 * parameters and share boilerplate (canonical URL match), on AMP/mobile URLs with a "[Breaking]"
 * headline (canonical URL folding), on their own URL with an outlet suffix (text match).
 */
function wireStories(random: Random, start: Date, end: Date): WorldItem[] {
  const items: WorldItem[] = [];
  for (let n = 0, t = at(start, -20).getTime(); t < end.getTime(); n++, t += 7 * 3_600_000) {
    const korean = n % 4 === 3;
    const language: Language = korean ? 'ko' : 'en';
    const phrase = korean ? '북한' : n % 2 === 0 ? 'North Korea' : 'Seoul';
    const storyKey = `wire-story:${n}`;
    const title = headline(random, language, phrase);
    const paragraphs = body(random, language, phrase);
    const path = `https://www.wire.example/en/article/${20260300 + n}`;
    const copy = (feedId: string, minutes: number, changes: Partial<WorldItem>): WorldItem => ({
      feedId,
      key: `${feedId}:wire:${n}`,
      guid: `${feedId}:wire:${n}`,
      url: path,
      storyKey,
      language,
      publishedAt: new Date(t + minutes * 60_000),
      title,
      paragraphs,
      edits: [],
      removedAt: null,
      wrapper: null,
      ...changes,
    });
    if (korean) {
      const koPath = `https://www.wire.example/ko/article/${20260300 + n}`;
      items.push(copy('wire-ko', 0, { url: koPath, key: `wire-ko:wire:${n}`, guid: `wire-ko:wire:${n}` }));
      items.push(
        copy('repub-ko', 35, {
          url: `https://news.aggregator.example/ko/${n}`,
          title: `[속보] ${title}`,
          wrapper: { before: '공유하기 페이스북 트위터', after: '원문 보기 Source link' },
        }),
      );
      continue;
    }
    items.push(copy('wire-en', 0, {}));
    if (phrase === 'North Korea') items.push(copy('wire-nk', 1, {}));
    const share = { before: 'Share this article Share on Facebook Share on Twitter Share via Email', after: 'Source link' };
    const tracked = `${path}?utm_source=aggregator&utm_medium=rss&utm_campaign=feed`;
    items.push(copy('repub-share', 20, { url: tracked, wrapper: share }));
    items.push(copy('repub-amp', 45, { url: `https://m.wire.example/en/article/${20260300 + n}/amp`, title: `[Breaking] ${title}` }));
    items.push(
      copy('repub-own', random.int(90, 180), {
        url: `https://news.aggregator.example/world/${n}-${title.split(' ')[0]!.toLowerCase()}`,
        title: `${title}${OUTLET_SUFFIX}`,
        wrapper: share,
      }),
    );
  }
  return items;
}

export function buildWorld(seed: number, start: Date, days: number): World {
  const random = seededRandom(seed);
  const end = at(start, days * 24);
  const list = feeds(start);
  const items = new Map<string, WorldItem[]>();
  for (const f of list) items.set(f.id, ownItems(random.fork(f.id), f, start, end));
  for (const item of wireStories(random.fork('wire'), start, end)) items.get(item.feedId)!.push(item);
  // The twice-subscribed feed is one document at two URLs: the same items.
  items.set('repub-share-twice', items.get('repub-share')!);
  return { start, end, feeds: list, items };
}
