/**
 * The admin API under /admin/api (Bearer ADMIN_TOKEN), and the admin page under /admin
 * (admin-page-routes.ts). Bodies are validated with zod; every refusal is
 * `{ "error": { "code", "message" } }` with 400 (malformed), 401 (no or wrong token),
 * 404, 409 (duplicate: the existing source comes along), 422 (not a feed, unknown
 * topic, blocked address…) or 503 (ADMIN_TOKEN unset).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminApi } from '../admin/api.ts';
import { loginPage } from './admin-page.ts';
import { parseBody, parseId, toHttpError } from './admin-http.ts';
import { registerAdminPageRoutes } from './admin-page-routes.ts';
import { registerTopicApi } from './admin-topic-routes.ts';
import { registerStoryApi } from './admin-story-routes.ts';
import { bearerToken, checkAdminToken, createAttemptLimiter, type AttemptLimiter } from './auth.ts';
import { handleError, HttpError } from './errors.ts';
import { prefersHtml } from './content-negotiation.ts';

export interface AdminDeps {
  /** ADMIN_TOKEN; null: every admin route answers 503 saying how to enable it. */
  token: string | null;
  api: AdminApi;
  /** Mark the page's session cookie Secure (PUBLIC_URL is https). */
  secureCookies: boolean;
}

export const ADMIN_DISABLED_MESSAGE =
  'administration is disabled: set the ADMIN_TOKEN environment variable to a long random secret (e.g. the output of `openssl rand -hex 32`) and restart Tidings; then send it as "Authorization: Bearer <token>", or log in with it at /admin';

/** Wrong tokens allowed per client address per window before answering 429 to wrong ones. */
const MAX_FAILED_ATTEMPTS = 10;
const ATTEMPT_WINDOW_MS = 60_000;
/** OPML lists of a few thousand feeds are well under this. */
const OPML_BODY_LIMIT = 5 * 1024 * 1024;
const OPML_TYPES = ['text/x-opml', 'application/x-opml', 'text/xml', 'application/xml', 'text/plain'];

/** Registers /admin/api and /admin; without deps both answer 503. */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps | undefined): void {
  const limiter = createAttemptLimiter(MAX_FAILED_ATTEMPTS, ATTEMPT_WINDOW_MS);
  if (deps === undefined || deps.token === null) {
    // The page gets the same message as the API, as HTML when a browser asks.
    const disabled = async (request: FastifyRequest, reply: FastifyReply) => {
      reply.code(503).header('cache-control', 'no-store');
      if (!request.url.startsWith('/admin/api') && prefersHtml(request.headers.accept)) {
        return reply.type('text/html; charset=utf-8').send(loginPage({ status: 'disabled', error: ADMIN_DISABLED_MESSAGE }));
      }
      throw new HttpError(503, 'admin_disabled', ADMIN_DISABLED_MESSAGE);
    };
    for (const url of ['/admin', '/admin/*']) app.all(url, disabled);
    return;
  }
  const { token, api } = deps;
  void app.register(async (scope) => registerApi(scope, api, token, limiter), { prefix: '/admin/api' });
  void app.register(async (scope) => registerAdminPageRoutes(scope, { api, token, secureCookies: deps.secureCookies, limiter }), { prefix: '/admin' });
}

function bearerGuard(token: string, limiter: AttemptLimiter) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    const given = bearerToken(request.headers.authorization);
    if (given === null) {
      reply.header('www-authenticate', 'Bearer realm="tidings-admin"');
      throw new HttpError(401, 'unauthorized', 'the admin API needs "Authorization: Bearer <ADMIN_TOKEN>"');
    }
    // request.ip is the client's address, also behind a proxy named in TRUST_PROXY.
    const check = checkAdminToken(given, token, limiter, request.ip, Date.now());
    if (check.ok) return;
    if (check.retryAfter !== null) {
      reply.header('retry-after', String(check.retryAfter));
      throw new HttpError(429, 'too_many_attempts', `too many wrong admin tokens from this address; try again in ${check.retryAfter} s`);
    }
    reply.header('www-authenticate', 'Bearer realm="tidings-admin", error="invalid_token"');
    throw new HttpError(401, 'unauthorized', 'wrong admin token');
  };
}

// ---------------------------------------------------------------------------
// Bodies: their shape only (fields and types). The values (lengths, ranges, characters,
// topics) are checked by the admin use-cases (src/admin/validate.ts), for the page and
// the CLI alike.

const addBody = z.strictObject({
  url: z.string(),
  title: z.string().nullish(),
  topics: z.array(z.string()).optional(),
  fullContent: z.boolean().optional(),
  dryRun: z.boolean().optional(),
});

const patchBody = z
  .strictObject({
    title: z.string().nullable().optional(),
    topics: z.array(z.string()).optional(),
    enabled: z.boolean().optional(),
    pollIntervalSeconds: z.number().nullable().optional(),
    fullContent: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change: give title, topics, enabled, pollIntervalSeconds or fullContent' });

const previewBody = z.strictObject({
  include: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
  days: z.number().optional(),
});

const opmlBody = z.strictObject({ opml: z.string().min(1) });

// ---------------------------------------------------------------------------
// Routes

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

function registerApi(app: FastifyInstance, api: AdminApi, token: string, limiter: AttemptLimiter): void {
  app.addHook('onRequest', bearerGuard(token, limiter));
  app.setErrorHandler((error, request, reply) => handleError(toHttpError(error) as Error, request, reply));
  app.addContentTypeParser(OPML_TYPES, { parseAs: 'string', bodyLimit: OPML_BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.get('/sources', async () => ({ sources: await api.listSources() }));

  app.post('/sources', async (request, reply) => {
    const body = parseBody(addBody, request.body);
    const outcome = await api.addSource(body);
    if (outcome.kind === 'added') return reply.code(201).header('location', `/admin/api/sources/${outcome.source.id}`).send(outcome);
    if (outcome.kind === 'choices') {
      return { ...outcome, message: `${outcome.pageUrl} is an HTML page; add one of the ${outcome.choices.length} feed(s) found for it` };
    }
    return outcome;
  });

  app.get('/sources/:id', async (request: IdRequest) => api.getSource(parseId(request.params.id)));

  app.patch('/sources/:id', async (request: IdRequest) => {
    const id = parseId(request.params.id);
    return api.changeSource(id, parseBody(patchBody, request.body));
  });

  app.delete('/sources/:id', async (request: IdRequest, reply) => {
    const removed = await api.removeSource(parseId(request.params.id));
    // A large source goes in the background: accepted, with what will happen.
    return reply.code(removed.status === 'deleting' ? 202 : 200).send(removed);
  });

  app.post('/sources/:id/refresh', async (request: IdRequest) => api.refreshSource(parseId(request.params.id)));

  app.get('/opml', async (_request, reply) =>
    reply
      .type('text/x-opml; charset=utf-8')
      .header('content-disposition', 'attachment; filename="tidings-sources.opml"')
      .send(await api.exportOpml()),
  );

  app.post('/opml', { bodyLimit: OPML_BODY_LIMIT }, async (request) => {
    const text = typeof request.body === 'string' ? request.body : parseBody(opmlBody, request.body).opml;
    if (text.trim() === '')
      throw new HttpError(400, 'invalid_request', 'send the OPML document as the body (Content-Type: text/x-opml), or as JSON {"opml": "..."}');
    return api.importOpml(text);
  });

  registerTopicApi(app, api);
  app.post('/topics/:slug/preview', async (request: FastifyRequest<{ Params: { slug: string } }>) =>
    api.previewTopic(request.params.slug, parseBody(previewBody, request.body)),
  );

  registerStoryApi(app, api);
}
