/** The HTTP server: public routes (and, when enabled, the admin API). */
import { createServer } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TrustProxy } from '../config/env.ts';
import type { Logger } from '../logger.ts';
import { registerAdminRoutes, type AdminDeps } from './admin-routes.ts';
import { installErrorHandlers, sendErrorTo } from './errors.ts';
import { fastFeedHandler } from './fast-feeds.ts';
import { registerPublicRoutes, type PublicRoutesDeps } from './public-routes.ts';
import { registerWebSubHubRoutes, type WebSubHubDeps } from './websub-hub-routes.ts';
import { registerWebSubCallbackRoutes } from './websub-callback-routes.ts';
import type { WebSubCallbacks } from '../ingest/push-content.ts';

export interface ServerDeps extends PublicRoutesDeps {
  log: Logger;
  /** The admin API and page; without it, /admin answers 503. */
  admin?: AdminDeps | undefined;
  /**
   * Reverse proxies trusted to name the client in X-Forwarded-For (TRUST_PROXY); then
   * request.ip, which the wrong-token limiter counts by, is the client's address.
   */
  trustProxy?: TrustProxy | undefined;
  /** The built-in WebSub hub (websub.builtin); without it, POST /websub/hub is 404. */
  websubHub?: WebSubHubDeps | undefined;
  /** GET/POST /websub/callback/:id, the WebSub subscriber's callback; without it, not routed. */
  websubCallbacks?: WebSubCallbacks | undefined;
}

export function buildServer(deps: ServerDeps): FastifyInstance {
  const fastFeeds = fastFeedHandler(deps.feedCache, deps.topics.list, deps.documentLink);
  // Once closing, every request goes to fastify, which tells clients to go away (503, Connection: close).
  let closing = false;
  const app = Fastify({
    // Cached feed documents are answered before fastify (fast-feeds.ts); the rest goes on to it.
    serverFactory: (handler) => createServer((request, response) => (!closing && fastFeeds(request, response)) || handler(request, response)),
    loggerInstance: deps.log.child({ component: 'http' }) as FastifyBaseLogger,
    // One log line per request would drown the poll logs; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    trustProxy: deps.trustProxy ?? false,
    routerOptions: { maxParamLength: 200 },
    // A URL that cannot be decoded, and the like: the same error shape as everything else.
    frameworkErrors: (error, request, reply) => sendErrorTo(request, reply, 400, 'bad_request', error.message),
  });
  app.addHook('preClose', async () => {
    closing = true;
  });
  installErrorHandlers(app);
  registerPublicRoutes(app, deps);
  registerAdminRoutes(app, deps.admin);
  registerWebSubHubRoutes(app, deps.websubHub);
  registerWebSubCallbackRoutes(app, deps.websubCallbacks);
  return app;
}
