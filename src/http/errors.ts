/** Every error answer has one shape: { "error": { "code", "message" } } (plus, rarely, context such as the existing source of a 409). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../db/unavailable.ts';

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
  return reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send({ ...errorBody(code, message), ...extra });
}

/** Maps thrown errors to answers: ours keep their status, bad input is 400, the rest 500 (logged). */
export function handleError(error: Error & { statusCode?: number; code?: string; validation?: unknown }, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof HttpError) return sendError(reply, error.status, error.code, error.message, error.extra);
  if (isDatabaseUnavailable(error)) {
    request.log.warn({ err: error, url: request.url }, 'request failed: database unavailable');
    return sendError(reply.header('retry-after', '5'), 503, 'database_unavailable', DATABASE_UNAVAILABLE_MESSAGE);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return sendError(reply, status, error.validation ? 'invalid_request' : (error.code ?? 'bad_request').toLowerCase(), error.message);
  }
  request.log.error({ err: error, url: request.url }, 'request failed');
  return sendError(reply, 500, 'internal_error', 'something went wrong on our side; the error has been logged');
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'not_found', `no such page: ${request.method} ${request.url.split('?')[0]}`));
  app.setErrorHandler(handleError);
}
