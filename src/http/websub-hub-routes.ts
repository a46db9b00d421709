/**
 * The built-in WebSub hub's endpoint, POST /websub/hub (W3C WebSub §5.1), when
 * `websub.builtin` is on. A valid request is answered 202 Accepted and its intent verified
 * afterwards by the sender (§5.3, jobs/websub-deliveries.ts); a malformed one gets 400 with
 * the usual error body. Only application/x-www-form-urlencoded bodies are accepted (§5.1).
 */
import type { FastifyInstance } from 'fastify';
import { BUILTIN_HUB_PATH } from '../render/hub-links.ts';
import { readSubscriptionRequest, type SubscriptionRequest } from '../websub/hub-subscription-request.ts';
import { HttpError } from './errors.ts';
import { field, parseUrlEncoded } from './form-body.ts';

/** Far more than any subscription request needs (a callback URL is at most 2 KiB). */
const HUB_BODY_LIMIT = 16 * 1024;

export interface WebSubHubDeps {
  /** Whether a URL is one of our topic or digest documents. */
  isOwnTopic(url: string): boolean;
  /** Queues the verification of intent (made within seconds, by whichever instance claims it). */
  requestVerification(request: SubscriptionRequest): Promise<void>;
}

export function registerWebSubHubRoutes(app: FastifyInstance, deps: WebSubHubDeps | undefined): void {
  if (deps === undefined) return;
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: HUB_BODY_LIMIT }, (_request, body, done) =>
      done(null, parseUrlEncoded(body as string)),
    );
    scope.post(BUILTIN_HUB_PATH, async (request, reply) => {
      const request_ = readSubscriptionRequest((name) => field(request.body, name), deps.isOwnTopic);
      if ('code' in request_) throw new HttpError(400, request_.code, request_.message);
      await deps.requestVerification(request_);
      return reply.code(202).header('cache-control', 'no-store').send();
    });
  });
}
