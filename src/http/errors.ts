/**
 * Every error answer has one shape: { "error": { "code", "message" } } (plus, rarely,
 * context such as the existing source of a 409); a browser asking for HTML gets the same
 * status and message as a page. sendErrorTo is the one place that chooses between them.
 * The admin page renders its own (admin-page-routes.ts); the admin API always answers JSON.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../db/unavailable.ts';
import { errorPage } from '../render/pages.ts';
import { prefersHtml } from './content-negotiation.ts';
import { sendPage } from './html-page.ts';

/** Longest path an error message quotes: the rest is cut (a page need not repeat a 5 kB URL). */
const MAX_QUOTED_PATH = 200;

export interface ErrorBody {
  error: { code: string; message: string };
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Fields added next to `error` in the answer. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

export function sendError(reply: FastifyReply, status: number, code: string, message: string, extra: Record<string, unknown> = {}): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('vary', 'Accept')
    .type('application/json; charset=utf-8')
    .send({ ...errorBody(code, message), ...extra });
}

/** The admin API's routes, and unknown paths under it: scripts, which always get JSON. */
function isAdminApi(request: FastifyRequest): boolean {
  const path = (request.url ?? '').split('?')[0]!;
  return request.routeOptions?.url?.startsWith('/admin/api') === true || path === '/admin/api' || path.startsWith('/admin/api/');
}

/** A browser (its Accept prefers text/html to JSON) outside the admin API: it gets an HTML page. */
function wantsHtml(request: FastifyRequest): boolean {
  return prefersHtml(request.headers.accept) && !isAdminApi(request);
}

/** A request's path as an error message quotes it: without the query, at most MAX_QUOTED_PATH characters. */
export function quotedPath(url: string): string {
  const path = url.split('?')[0]!;
  return path.length > MAX_QUOTED_PATH ? `${path.slice(0, MAX_QUOTED_PATH)}…` : path;
}

/** sendError, or the same status and message as an HTML page when a browser asks. */
export function sendErrorTo(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  if (!wantsHtml(request)) return sendError(reply, status, code, message, extra);
  return sendPage(reply.header('vary', 'Accept'), errorPage(status, message), { status, cacheControl: 'no-store' });
}

/** Maps thrown errors to answers: ours keep their status, bad input is 400, the rest 500 (logged). */
export function handleError(
  error: Error & { statusCode?: number; code?: string; validation?: unknown },
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof HttpError) return sendErrorTo(request, reply, error.status, error.code, error.message, error.extra);
  if (isDatabaseUnavailable(error)) {
    request.log.warn({ err: error, url: request.url }, 'request failed: database unavailable');
    return sendErrorTo(request, reply.header('retry-after', '5'), 503, 'database_unavailable', DATABASE_UNAVAILABLE_MESSAGE);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return sendErrorTo(request, reply, status, error.validation ? 'invalid_request' : (error.code ?? 'bad_request').toLowerCase(), error.message);
  }
  request.log.error({ err: error, url: request.url }, 'request failed');
  return sendErrorTo(request, reply, 500, 'internal_error', 'something went wrong on our side; the error has been logged');
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => sendErrorTo(request, reply, 404, 'not_found', `no such page: ${request.method} ${quotedPath(request.url)}`));
  app.setErrorHandler(handleError);
}
