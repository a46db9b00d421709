/**
 * A config source behind HTTP Basic auth, end to end on a real database: the service polls a
 * feed that needs credentials from a server on 127.0.0.1 with the password read from the
 * environment; a wrong or missing password is recorded on the source; and the password shows
 * nowhere: not in the database, the admin API, the OPML export, the admin page, /metrics or
 * the logs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { ConfigError } from '../../src/errors.ts';
import { serve, type Service } from '../../src/main.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { rssFeed, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { testConfig } from '../helpers/context.ts';

const TOKEN = 'auth-test-admin-token-0123456789abcdef';
const USER = 'reader';
const PASSWORD = 'Sup3r-s3cret-feed-pa55word';
const VARIABLE = 'PRIVATE_FEED_PASSWORD';
/** Strings that must appear nowhere: the password, and the header value that carries it. */
const SECRETS = [PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')];

let fixtures: FixtureServer;
let config: ReturnType<typeof testConfig>;
let service: Service;
/** The service's environment: a test changes the password variable between polls. */
const variables: NodeJS.ProcessEnv = { ADMIN_TOKEN: TOKEN, [VARIABLE]: PASSWORD };
const logLines: string[] = [];

function privateFeed(req: IncomingMessage, res: ServerResponse): void {
  if (req.headers.authorization !== `Basic ${SECRETS[1]}`) {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="private"' }).end('who are you?');
    return;
  }
  const pubDate = new Date(Date.now() - 3_600_000).toUTCString();
  res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssFeed('Private', [{ guid: 'p1', title: 'Members-only Seoul news', pubDate }]));
}

async function admin(path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${service.url}/admin/api${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: response.status, text: await response.text() };
}

async function sourceRow() {
  return service.context.db.selectFrom('sources').selectAll().executeTakeFirstOrThrow();
}

beforeAll(async () => {
  fixtures = await startFixtureServer();
  fixtures.route('/private.xml', privateFeed);
  config = testConfig({ sources: [{ url: fixtures.url('/private.xml'), topics: ['korea'], auth: { username: USER, passwordEnv: VARIABLE } }] });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  service = await serve({ ...readEnv(variables), port: 0 }, config, pino({ level: 'trace' }, sink), {
    handleSignals: false,
    database: await createTestDatabase(),
    pollAtStart: false,
  });
});
afterAll(async () => {
  await service?.stop();
  await fixtures?.close();
});

describe('a source behind HTTP Basic auth', () => {
  it('stops start-up when its password variable is not set, naming the source and the variable', async () => {
    const database = await createTestDatabase();
    try {
      const starting = serve({ ...readEnv({ FEEDS_CONFIG: '/etc/tidings/feeds.config.json' }), port: 0 }, config, pino({ level: 'silent' }), {
        handleSignals: false,
        database,
        pollAtStart: false,
      });
      await expect(starting).rejects.toThrow(ConfigError);
      await expect(starting).rejects.toThrow(
        `/etc/tidings/feeds.config.json: sources[0].auth.passwordEnv (${fixtures.url('/private.xml')}): the environment variable ${VARIABLE} is not set`,
      );
    } finally {
      await database.close();
    }
  });

  it('is polled with the password from the environment, and its items are stored', async () => {
    await service.pollNow();
    const row = await sourceRow();
    expect(row).toMatchObject({
      error_code: null,
      last_status: 200,
      auth_username: USER,
      auth_password_env: VARIABLE,
      auth_origin: new URL(fixtures.url('/')).origin,
    });
    const items = await service.context.db.selectFrom('items').select('title').execute();
    expect(items.map((i) => i.title)).toEqual(['Members-only Seoul news']);
  });

  it('shows the user name and the variable name to the admin, never the password', async () => {
    const listed = JSON.parse((await admin('/sources')).text) as { sources: Array<{ id: number; auth: unknown; state: string }> };
    expect(listed.sources[0]).toMatchObject({ auth: { username: USER, passwordEnv: VARIABLE }, state: 'ok' });
  });

  it('records a wrong password as http_unauthorized, saying the credentials were refused', async () => {
    variables[VARIABLE] = 'a-wrong-password';
    try {
      await service.context.db
        .updateTable('sources')
        .set({ next_poll_at: new Date(0) })
        .execute();
      await service.pollNow();
    } finally {
      variables[VARIABLE] = PASSWORD;
    }
    const row = await sourceRow();
    expect(row).toMatchObject({ error_code: 'http_unauthorized', last_status: 401 });
    expect(row.error_message).toContain('the credentials were refused');
    const shown = JSON.parse((await admin(`/sources/${row.id}`)).text) as { source: { state: string; errorCode: string } };
    expect(shown.source).toMatchObject({ state: 'failing', errorCode: 'http_unauthorized' });
  });

  it('records a missing variable at poll time as missing_credentials, naming the variable, and fetches nothing', async () => {
    delete variables[VARIABLE];
    const hits = fixtures.hits('/private.xml');
    try {
      await service.context.db
        .updateTable('sources')
        .set({ next_poll_at: new Date(0) })
        .execute();
      await service.pollNow();
    } finally {
      variables[VARIABLE] = PASSWORD;
    }
    const row = await sourceRow();
    expect(row.error_code).toBe('missing_credentials');
    expect(row.error_message).toContain(`the environment variable ${VARIABLE} (auth.passwordEnv) is not set`);
    expect(fixtures.hits('/private.xml')).toBe(hits);
  });

  it('recovers once the password is right again', async () => {
    await service.context.db
      .updateTable('sources')
      .set({ next_poll_at: new Date(0) })
      .execute();
    await service.pollNow();
    expect((await sourceRow()).error_code).toBeNull();
  });

  it('leaves the password out of the database, the admin API, OPML, the admin page, /metrics and the logs', async () => {
    const id = (await sourceRow()).id;
    const login = await fetch(`${service.url}/admin/login`, { method: 'POST', body: new URLSearchParams({ token: TOKEN }), redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const page = async (path: string) => (await fetch(`${service.url}${path}`, { headers: { cookie } })).text();
    const seen: Record<string, string> = {
      'sources table': JSON.stringify(await service.context.db.selectFrom('sources').selectAll().execute()),
      'poll events': JSON.stringify(await service.context.db.selectFrom('poll_events').selectAll().execute()),
      'API source list': (await admin('/sources')).text,
      'API source': (await admin(`/sources/${id}`)).text,
      'API OPML export': (await admin('/opml')).text,
      'admin page': await page('/admin'),
      'admin source page': await page(`/admin/sources/${id}`),
      'page OPML export': await page('/admin/opml'),
      metrics: await (await fetch(`${service.url}/metrics`)).text(),
      logs: logLines.join(''),
    };
    expect(seen['admin source page']).toContain('Members-only Seoul news');
    expect(seen.logs).toContain('poll failed');
    for (const [where, text] of Object.entries(seen)) for (const secret of SECRETS) expect(text.includes(secret), `${where} shows the password`).toBe(false);
  });
});
