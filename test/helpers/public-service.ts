/**
 * A service for the public pages' tests (public-pages*.test.ts): three topics (korea daily,
 * world weekly, quiet with no digest published), a few published digests, an admin token,
 * and PUBLIC_URL equal to its own address, so every link in its pages can be followed.
 */
import { createServer } from 'node:net';
import { readEnv } from '../../src/config/env.ts';
import { serve, type Service } from '../../src/main.ts';
import { publishDigest } from '../../src/store/digests.ts';
import { createTestDatabase } from './database.ts';
import { silentLog, testConfig } from './context.ts';

export const ADMIN_TOKEN = 'public-pages-admin-token-0123456789';
/** The service's clock: the listing (OPML dateCreated) is first published at this time. */
export const SERVICE_NOW = new Date('2026-11-25T08:00:00Z');

/** A port nothing listens on now (PUBLIC_URL must name it before the service starts). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A published Korea digest: its date, title and stories; `stories: 0` is an empty period (never listed). */
export interface SeedDigest {
  date: string;
  stories: number;
}

export const KOREA_DIGESTS: readonly SeedDigest[] = [
  { date: '2026-11-21', stories: 0 },
  { date: '2026-11-22', stories: 2 },
  { date: '2026-11-24', stories: 3 },
  { date: '2026-11-23', stories: 1 },
];

export function koreaDigestTitle(date: string): string {
  return `Korea — daily digest of ${date}`;
}

export async function startPublicService(): Promise<Service> {
  const port = await freePort();
  const config = testConfig({
    topics: [
      { slug: 'korea', title: 'Korea', description: 'Korean Peninsula news', include: ['seoul'] },
      { slug: 'world', title: 'World', digest: { period: 'weekly', weekday: 'monday' } },
      { slug: 'quiet', title: 'Quiet <Times>' },
    ],
  });
  const env = { ...readEnv({}), port, publicUrl: `http://127.0.0.1:${port}`, adminToken: ADMIN_TOKEN };
  const service = await serve(env, config, silentLog, {
    handleSignals: false,
    database: await createTestDatabase(),
    pollAtStart: false,
    now: () => SERVICE_NOW,
  });
  // The start-up digest run records empty periods; wait for it, then publish ours over them.
  await service.digestsNow();
  for (const seed of KOREA_DIGESTS) {
    const end = new Date(`${seed.date}T07:00:00Z`);
    const title = koreaDigestTitle(seed.date);
    await publishDigest(
      service.context.db,
      {
        topic: 'korea',
        periodStart: new Date(end.getTime() - 86_400_000),
        periodEnd: end,
        periodDate: seed.date,
        title,
        html: `<h2>${title}</h2><ol><li>Seoul story</li></ol>`,
        text: `${title}\n\n1. Seoul story\n`,
        storyIds: Array.from({ length: seed.stories }, (_, i) => i + 1),
        createdAt: end,
      },
      true,
    );
  }
  return service;
}
