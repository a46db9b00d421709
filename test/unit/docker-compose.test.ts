/**
 * docker-compose.yml, checked without Docker (none runs here): the file parses, the app
 * reaches the postgres service, both have health checks that work in their images, and
 * PostgreSQL's data outlives its container. The app's health check command is run against
 * a local server standing in for /readyz.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { variablesReadEnvReads } from '../helpers/env-names.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url);

interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[]; interval?: string; start_period?: string };
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8')) as Compose;
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
const app = Object.values(compose.services).find((service) => service.build === '.');
const postgresName = Object.keys(compose.services).find((name) => compose.services[name]!.image?.startsWith('postgres:'));
const postgres = compose.services[postgresName ?? ''];

describe('docker-compose.yml', () => {
  it('has the app, built from the Dockerfile, and a postgres service', () => {
    expect(app).toBeDefined();
    expect(postgres).toBeDefined();
  });

  it('points DATABASE_URL at the postgres service with its user, password and database', () => {
    const url = new URL(app!.environment!.DATABASE_URL!);
    const env = postgres!.environment!;
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe(postgresName);
    expect(url.port || '5432').toBe('5432');
    expect([url.username, url.password, url.pathname.slice(1)]).toEqual([env.POSTGRES_USER, env.POSTGRES_PASSWORD, env.POSTGRES_DB]);
  });

  it('sets PUBLIC_URL, listens on all interfaces on the published port, and takes ADMIN_TOKEN from the shell', () => {
    const env = app!.environment!;
    expect(env.PUBLIC_URL).toMatch(/^\$\{PUBLIC_URL:-https?:\/\/[^}]+\}$/);
    expect(env.HOST).toBe('0.0.0.0');
    expect(app!.ports).toContain(`${env.PORT}:${env.PORT}`);
    // Never a token written in the file: the operator's own, or none (admin off).
    expect(env.ADMIN_TOKEN).toMatch(/^\$\{ADMIN_TOKEN:-\}$/);
  });

  it('sets only variables Tidings reads', () => {
    const known = variablesReadEnvReads();
    expect(Object.keys(app!.environment!).filter((name) => !known.has(name))).toEqual([]);
  });

  it('checks PostgreSQL with pg_isready for its own user and database', () => {
    const env = postgres!.environment!;
    expect(postgres!.healthcheck!.test).toEqual(['CMD-SHELL', `pg_isready -U ${env.POSTGRES_USER} -d ${env.POSTGRES_DB}`]);
  });

  it('keeps PostgreSQL data in a named volume', () => {
    const mount = postgres!.volumes!.find((volume) => volume.endsWith(':/var/lib/postgresql/data'));
    const name = mount?.split(':')[0];
    expect(name).toMatch(/^[a-z][a-z0-9_-]*$/); // a name, not a host path
    expect(Object.keys(compose.volumes ?? {})).toContain(name);
  });

  it('starts the app once PostgreSQL is healthy', () => {
    expect(app!.depends_on).toEqual({ [postgresName!]: { condition: 'service_healthy' } });
  });

  it('checks the app on /readyz at its port with node, the one program its slim image surely has', () => {
    const [form, program, flag, script] = app!.healthcheck!.test;
    expect([form, program, flag]).toEqual(['CMD', 'node', '-e']);
    expect(script).toContain(`http://127.0.0.1:${app!.environment!.PORT}/readyz`);
    expect(app!.healthcheck!.start_period).toBeDefined(); // migrations run before /readyz answers 200
    // The image runs node (no curl or wget in node:*-slim).
    expect(dockerfile).toMatch(/^FROM node:20-[a-z]+-slim\n(?:.*\n)*?CMD \["node"/m);
  });
});

describe("the app's health check command", () => {
  let server: Server;
  let status = 200;
  let port: number;
  const check = async (atPort: number) => {
    const script = app!.healthcheck!.test[3]!.replace(`127.0.0.1:${app!.environment!.PORT}`, `127.0.0.1:${atPort}`);
    return run(process.execPath, ['-e', script]).then(
      () => 0,
      (error: { code: number }) => error.code,
    );
  };

  beforeAll(async () => {
    server = createServer((request, response) => response.writeHead(request.url === '/readyz' ? status : 404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('passes when /readyz answers 200', async () => {
    status = 200;
    expect(await check(port)).toBe(0);
  });

  it('fails when /readyz answers 503', async () => {
    status = 503;
    expect(await check(port)).toBe(1);
  });

  it('fails when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const unused = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await check(unused)).toBe(1);
  });
});
