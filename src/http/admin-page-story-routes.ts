/**
 * The admin page's story routes: a topic's stories, one story, and its forms (split an item
 * out, merge, hide and unhide an item), each answering 303 to the page that shows what
 * happened (admin-page-routes.ts hands over what they share). Actions are logged as done by
 * the session (src/admin/sessions.ts sessionActor).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sessionActor } from '../admin/sessions.ts';
import { parseId } from './admin-http.ts';
import { storyPage, topicStoriesPage } from './admin-page-stories.ts';
import type { PageKit, PageQuery } from './admin-page-source-routes.ts';
import { HttpError } from './errors.ts';
import { field, fieldAll } from './form-body.ts';

type IdRequest = FastifyRequest<{ Params: { id: string }; Querystring: PageQuery }>;

/** Latest curation entries on a topic's stories page; recent stories offered to merge with. */
const LOG_SHOWN = 10;
const MERGE_CHOICES = 15;

export function registerStoryPageRoutes(app: FastifyInstance, kit: PageKit): void {
  const { api, html, sessionOf, csrfOf, shown, formPost } = kit;

  app.get('/topics/:slug/stories', async (request: FastifyRequest<{ Params: { slug: string }; Querystring: PageQuery & { before?: string } }>, reply) => {
    const session = await sessionOf(request);
    if (session === null) return reply.redirect('/admin', 303);
    const topic = api.topics.find((t) => t.slug === request.params.slug);
    if (topic === undefined) throw new HttpError(404, 'unknown_topic', `no topic "${request.params.slug.slice(0, 100)}"`);
    const before = request.query.before ? parseId(request.query.before, 'before (a story id)') : undefined;
    const [list, log, page] = [await api.stories.list(topic.slug, { before }), await api.stories.log(LOG_SHOWN), await shown(session.id, request.query)];
    return html(reply, topicStoriesPage(topic, list, log.entries, csrfOf(session), new Date(), [...page.flashes, ...(page.result?.flashes ?? [])]));
  });

  app.get('/stories/:id', async (request: IdRequest, reply) => {
    const session = await sessionOf(request);
    if (session === null) return reply.redirect('/admin', 303);
    const story = await api.stories.get(parseId(request.params.id, 'a story id'));
    const recent = story.topics.length > 0 ? (await api.stories.list(story.topics[0]!, { limit: MERGE_CHOICES })).stories : [];
    const { flashes, result } = await shown(session.id, request.query);
    return html(reply, storyPage(story, recent, csrfOf(session), new Date(), [...flashes, ...(result?.flashes ?? [])]));
  });

  /** Where a refusal is shown: the story's page, or the sources page when there is no such story. */
  const refusedOn = (page: string) => (_request: FastifyRequest, error: HttpError) => (error.status === 404 || error.code === 'invalid_id' ? '/admin' : page);

  app.post(
    '/stories/:id/split',
    formPost(
      async (request: IdRequest, session) => {
        const id = parseId(request.params.id, 'a story id');
        await api.stories.split(id, Number(field(request.body, 'item_id') ?? Number.NaN), sessionActor(session.id));
        return `/admin/stories/${id}?done=split`;
      },
      (request, error) => ({ page: refusedOn(`/admin/stories/${request.params.id}`)(request, error), prefix: 'Not split' }),
    ),
  );

  app.post(
    '/stories/:id/merge',
    formPost(
      async (request: IdRequest, session) => {
        const id = parseId(request.params.id, 'a story id');
        const others = fieldAll(request.body, 'with').flatMap((value) => value.split(/[\s,]+/).filter(Boolean));
        if (others.length === 0) throw new HttpError(400, 'invalid_story_ids', 'give the id of a story to merge with, or pick one');
        const merged = await api.stories.merge([id, ...others.map((raw) => parseId(raw, 'a story id'))], sessionActor(session.id));
        return `/admin/stories/${merged.story.id}?done=merged`;
      },
      // A story that does not exist may be the other one: say so on this story's page.
      (request) => ({ page: `/admin/stories/${request.params.id}`, prefix: 'Not merged' }),
    ),
  );

  for (const action of ['hide', 'unhide'] as const) {
    app.post(
      `/items/:id/${action}`,
      formPost(
        async (request: IdRequest, session) => {
          const id = parseId(request.params.id, 'an item id');
          const done = await api.stories[action](id, sessionActor(session.id));
          return `${backTo(field(request.body, 'back'), done.story.id)}?done=${action === 'hide' ? 'hidden' : 'unhidden'}`;
        },
        (request, error) => ({
          page: refusedOn(backTo(field(request.body, 'back'), null))(request, error),
          prefix: action === 'hide' ? 'Not hidden' : 'Not unhidden',
        }),
      ),
    );
  }
}

/** Where a hide or unhide returns: the story page it came from (or the item's story), or the source page; nothing else. */
function backTo(back: string | undefined, storyId: number | null): string {
  if (back !== undefined && /^\/admin\/(stories|sources)\/[1-9]\d{0,14}$/.test(back)) return back;
  return storyId === null ? '/admin' : `/admin/stories/${storyId}`;
}
