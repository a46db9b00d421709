/**
 * GET and POST /websub/callback/:id: a WebSub subscriber's callback (W3C WebSub §5.3, §7).
 * The hub verifies a (un)subscription with a GET and pushes content with a POST; what to
 * answer is decided in src/ingest/push-content.ts. The body of a push is read raw, whatever
 * its content type (a feed in any format), and capped like a fetched feed (polling.maxBytes).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { WebSubCallbacks } from '../ingest/push-content.ts';

type Query = Record<string, string | string[] | undefined>;

export function registerWebSubCallbackRoutes(app: FastifyInstance, callbacks: WebSubCallbacks | undefined): void {
  if (callbacks === undefined) return;
  // A scope of its own: its body parser and error handler apply to the callback only.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: callbacks.maxBytes }, (_request, body, done) => done(null, body));
    scope.setErrorHandler((error: FastifyError, _request, reply) => {
      if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
      callbacks.tooLarge();
      return reply.code(413).type('text/plain; charset=utf-8').send(`pushed content over ${callbacks.maxBytes} bytes`);
    });

    scope.get<{ Params: { id: string }; Querystring: Query }>('/websub/callback/:id', async (request, reply) => {
      const query = request.query;
      const answer = await callbacks.verify(request.params.id, {
        mode: one(query['hub.mode']),
        topic: one(query['hub.topic']),
        challenge: one(query['hub.challenge']),
        leaseSeconds: one(query['hub.lease_seconds']),
        reason: one(query['hub.reason']),
      });
      return reply.code(answer.status).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(answer.body);
    });

    scope.post<{ Params: { id: string } }>('/websub/callback/:id', async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const signature = request.headers['x-hub-signature'];
      const answer = await callbacks.push(request.params.id, {
        signature: (Array.isArray(signature) ? signature[0] : signature) ?? null,
        contentType: request.headers['content-type'] ?? null,
        body,
      });
      return reply.code(answer.status).send();
    });
  });
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
