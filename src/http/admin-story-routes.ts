/**
 * The admin API's story routes (under /admin/api, behind the Bearer guard of admin-routes.ts):
 * a topic's stories, one story with its items and why each joined, and the curation actions
 * (split, merge, hide, unhide) with their log. The logic is src/admin/story-curation.ts; these
 * only check the shape of the request. Actions are logged as done by "api token".
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminApi } from '../admin/api.ts';
import { CURATION_ACTORS } from '../admin/story-curation.ts';
import { parseBody, parseId } from './admin-http.ts';
import { HttpError } from './errors.ts';

const splitBody = z.strictObject({ itemId: z.number() });
const mergeBody = z.strictObject({ storyIds: z.array(z.number()) });

type IdRequest = FastifyRequest<{ Params: { id: string } }>;
type Query = Record<string, string | string[] | undefined>;

/** An optional whole-number query parameter (`limit`, `before`). */
export function queryNumber(query: Query, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw))
    throw new HttpError(400, `invalid_${name}`, `${name} is a whole number, not "${String(raw).slice(0, 50)}"`);
  return Number(raw);
}

export function registerStoryApi(app: FastifyInstance, api: AdminApi): void {
  const actor = CURATION_ACTORS.apiToken;

  app.get('/topics/:slug/stories', async (request: FastifyRequest<{ Params: { slug: string }; Querystring: Query }>) =>
    api.stories.list(request.params.slug, { limit: queryNumber(request.query, 'limit'), before: queryNumber(request.query, 'before') }),
  );

  app.get('/stories/:id', async (request: IdRequest) => api.stories.get(parseId(request.params.id, 'a story id')));

  app.post('/stories/:id/split', async (request: IdRequest) =>
    api.stories.split(parseId(request.params.id, 'a story id'), parseBody(splitBody, request.body).itemId, actor),
  );

  app.post('/stories/merge', async (request) => api.stories.merge(parseBody(mergeBody, request.body).storyIds, actor));

  app.post('/items/:id/hide', async (request: IdRequest) => api.stories.hide(parseId(request.params.id, 'an item id'), actor));
  app.post('/items/:id/unhide', async (request: IdRequest) => api.stories.unhide(parseId(request.params.id, 'an item id'), actor));

  app.get('/curation-log', async (request: FastifyRequest<{ Querystring: Query }>) => api.stories.log(queryNumber(request.query, 'limit')));
}
