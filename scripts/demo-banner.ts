/** What `npm run demo` prints once the service is up: where to look, and how to go further. */

export interface DemoBannerInput {
  /** The service's address (service.url). */
  serviceUrl: string;
  /** The sample feed server's address, and how many outlets it serves. */
  feedServerUrl: string;
  feedCount: number;
  /** ADMIN_TOKEN was set: the admin page is on. */
  adminEnabled: boolean;
  /** DATA_DIR=… FEEDS_CONFIG=… for CLI commands on the demo's database. */
  envPrefix: string;
  configFile: string;
}

/** The banner's links, label first: every one of the service's is a page or feed it serves. */
export function demoLinks(input: Pick<DemoBannerInput, 'serviceUrl' | 'feedServerUrl' | 'feedCount'>): Array<[string, string]> {
  const base = input.serviceUrl.replace(/\/+$/, '');
  return [
    [`Sample feeds (${input.feedCount} fictional outlets)`, `${input.feedServerUrl}/`],
    ['Tidings home page', `${base}/`],
    ['Korea topic, RSS 2.0', `${base}/topics/korea/rss.xml`],
    ['Korea topic, Atom 1.0', `${base}/topics/korea/atom.xml`],
    ['Korea topic, JSON Feed', `${base}/topics/korea/feed.json`],
    ['World topic, RSS 2.0', `${base}/topics/world/rss.xml`],
    ['Korea digest, RSS 2.0', `${base}/topics/korea/digest/rss.xml`],
    ['Korea past digests', `${base}/topics/korea/digest/`],
    ['Every feed as OPML', `${base}/topics.opml`],
    ['Admin page', `${base}/admin`],
  ];
}

export function demoBanner(input: DemoBannerInput): string {
  const links = demoLinks(input);
  const width = Math.max(...links.map(([label]) => label.length)) + 2;
  const lines = [
    '',
    'Tidings demo is running (sample feeds, no network needed).',
    '',
    ...links.map(([label, url]) => `  ${label.padEnd(width)}${url}`),
    '',
    '  Digests: one a day per topic, of the top stories; the first covers the last day that ended.',
    input.adminEnabled
      ? '  Admin page: log in with the ADMIN_TOKEN the demo was started with, to add, pause or delete sources.'
      : '  Admin page: off until you start the demo with ADMIN_TOKEN set, e.g. ADMIN_TOKEN=$(openssl rand -hex 32) npm run demo',
    '',
    '  Sources and their health:',
    `    ${input.envPrefix} npx tidings sources list`,
    '    (the embedded database serves one process at a time: stop the demo first)',
    '',
    `  Demo config: ${input.configFile}. Press Ctrl-C to stop.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
