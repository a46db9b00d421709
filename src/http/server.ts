/** The HTTP server: public feed routes and health endpoints. */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Logger } from '../logger.ts';

export interface ServerDeps {
  db: Kysely<DB>;
  log: Logger;
}

export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.log.child({ component: 'http' }) as FastifyBaseLogger, disableRequestLogging: true });
  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}
