/** The HTTP server: public routes (and, when enabled, the admin API). */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../logger.ts';
import { installErrorHandlers } from './errors.ts';
import { registerPublicRoutes, type PublicRoutesDeps } from './public-routes.ts';

export interface ServerDeps extends PublicRoutesDeps {
  log: Logger;
}

export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log.child({ component: 'http' }) as FastifyBaseLogger,
    // One log line per request would drown the poll logs; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
  });
  installErrorHandlers(app);
  registerPublicRoutes(app, deps);
  return app;
}
