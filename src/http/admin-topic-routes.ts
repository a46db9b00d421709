/**
 * The admin API's topic routes under /admin/api (registered by admin-routes.ts, behind its
 * Bearer guard and error handler): list, create, change and delete topics. Bodies are
 * checked for their shape here; the values by the use-cases (src/admin/topics.ts), as for
 * the page and the CLI. A change answers with the topic, how many stored items enter and
 * leave it, and, for a config topic, a note that the file wins at the next start.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminApi, TopicInput } from '../admin/api.ts';
import { parseBody } from './admin-http.ts';

// Values (the time's form, a known time zone…) are the use-case's to check, with the config file's rules.
const digestBody = z.strictObject({
  time: z.string().optional(),
  timezone: z.string().optional(),
  maxStories: z.number().optional(),
  period: z.string().optional(),
  weekday: z.string().optional(),
});

const fields = {
  title: z.string(),
  description: z.string().optional(),
  include: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
  digest: digestBody.optional(),
};

const createBody = z.strictObject({ slug: z.string(), ...fields });

const patchBody = z
  .strictObject({ ...fields, title: fields.title.optional() })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change: give title, description, include, exclude or digest (a slug stays)' });

type SlugRequest = FastifyRequest<{ Params: { slug: string } }>;

export function registerTopicApi(app: FastifyInstance, api: AdminApi): void {
  app.get('/topics', async () => ({ topics: await api.listTopics() }));

  app.post('/topics', async (request, reply) => {
    const body = parseBody(createBody, request.body) as TopicInput;
    const created = await api.createTopic(body);
    return reply.code(201).header('location', `/admin/api/topics/${created.topic.slug}`).send(created);
  });

  app.patch('/topics/:slug', async (request: SlugRequest) =>
    api.changeTopic(request.params.slug, parseBody(patchBody, request.body) as Omit<TopicInput, 'slug'>),
  );

  app.delete('/topics/:slug', async (request: SlugRequest) => api.removeTopic(request.params.slug));
}
