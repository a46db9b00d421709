/**
 * Three outlets whose items make stories of every kind, for the story curation tests (API,
 * CLI, page): the Wire's missile report is carried by The Daily under the same URL (a
 * canonical-URL copy) and by the Herald word for word under its own URL (a near-duplicate
 * text copy); the rest are stories of one item each. Every source is in topic "korea".
 */
import { rssFeed, type FixtureServer } from './fixture-server.ts';

/** Long enough for a text signature (60 tokens and more), with the numbers copies share. */
export const MISSILE_BODY = `<p>North Korea fired a ballistic missile into the East Sea on Tuesday morning, the Joint Chiefs of Staff in Seoul said,
the 12th launch this year and the first since the talks in Geneva broke down in March. The missile flew about 800 kilometres
at an altitude of 60 kilometres before falling outside Japan's exclusive economic zone, officials in Tokyo said. Analysts said
the launch appeared timed to coincide with joint exercises by South Korean and American forces that began on Monday and are
due to run for 11 days, and that Pyongyang was likely to follow it with further tests of solid-fuel engines in the weeks ahead.</p>`;

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toUTCString();

export interface StoryFeedChanges {
  /** Replaces The Daily's missile copy's title (a changed item, for re-poll tests). */
  dailyMissileTitle?: string;
  /** A new Daily item copying the Wire's markets story (same URL), for re-poll tests. */
  dailyMarketsCopy?: boolean;
}

export function wireFeed(): string {
  return rssFeed('Wire Service', [
    { guid: 'w1', title: 'North Korea fires missile', link: 'https://wireservice.example/nk-missile', pubDate: hoursAgo(5), description: MISSILE_BODY },
    { guid: 'w2', title: 'Seoul markets close higher', link: 'https://wireservice.example/markets', pubDate: hoursAgo(4) },
  ]);
}

export function dailyFeed(changes: StoryFeedChanges = {}): string {
  return rssFeed('The Daily', [
    {
      guid: 'd1',
      title: changes.dailyMissileTitle ?? 'Missile launch, Daily copy',
      link: 'https://wireservice.example/nk-missile',
      pubDate: hoursAgo(3),
      description: 'From Pyongyang.',
    },
    { guid: 'd2', title: 'Seoul hosts summit', link: 'https://daily.example/summit', pubDate: hoursAgo(2) },
    { guid: 'd3', title: 'Weather turns cold in Seoul', link: 'https://daily.example/weather', pubDate: hoursAgo(1) },
    ...(changes.dailyMarketsCopy
      ? [{ guid: 'd4', title: 'Markets in Seoul, Daily copy', link: 'https://wireservice.example/markets', pubDate: hoursAgo(0.5) }]
      : []),
  ]);
}

export function heraldFeed(): string {
  return rssFeed('Herald', [
    {
      guid: 'h1',
      title: 'North Korea fires missile, officials say',
      link: 'https://herald.example/missile',
      pubDate: hoursAgo(3.5),
      description: MISSILE_BODY,
    },
  ]);
}

/** Serves the three feeds as they start (or changed). */
export function routeStoryFeeds(server: FixtureServer, changes: StoryFeedChanges = {}): void {
  server.route('/wire.xml', { body: wireFeed() });
  server.route('/daily.xml', { body: dailyFeed(changes) });
  server.route('/herald.xml', { body: heraldFeed() });
}

/** The three as config sources, in the order they must be polled (the Wire founds the missile story). */
export function storySources(server: FixtureServer): Array<{ url: string; title: string; topics: string[] }> {
  return [
    { url: server.url('/wire.xml'), title: 'Wire Service', topics: ['korea'] },
    { url: server.url('/daily.xml'), title: 'The Daily', topics: ['korea'] },
    { url: server.url('/herald.xml'), title: 'Herald', topics: ['korea'] },
  ];
}
