/**
 * The admin page's topic routes (pages: admin-page-topics.ts): the list with the create
 * form, a topic's edit form, the delete confirmation, and their posts. A post answers 303
 * (post/redirect/get, like every form of the page): a preview, a refusal (with the form kept
 * to correct) or what a save did is stored as a page result for the page it redirects to.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TopicInput, TopicView } from '../admin/api.ts';
import type { Flash } from './admin-layout.ts';
import { toHttpError } from './admin-http.ts';
import type { PageResult } from './admin-page-results.ts';
import type { FormSession, PageKit, PageQuery } from './admin-page-source-routes.ts';
import { previewSummary, topicDeletePage, topicEditPage, topicsPage, type TopicForm, type TopicPageResult } from './admin-page-topics.ts';
import { HttpError } from './errors.ts';
import { field } from './form-body.ts';

type SlugRequest = FastifyRequest<{ Params: { slug: string }; Querystring: PageQuery }>;

/** How much of a posted form is kept to show again: a little over what the inputs allow. */
const KEEP = { short: 600, text: 2_000, rules: 80_000 };

function formOf(body: unknown, slug: string | null): TopicForm {
  const text = (name: string, max: number) => (field(body, name) ?? '').slice(0, max);
  return {
    slug: slug ?? text('slug', KEEP.short),
    title: text('title', KEEP.short),
    description: text('description', KEEP.text),
    include: text('include', KEEP.rules),
    exclude: text('exclude', KEEP.rules),
    digest: {
      time: text('digest_time', KEEP.short),
      timezone: text('digest_timezone', KEEP.short),
      maxStories: text('digest_max_stories', KEEP.short),
      period: text('digest_period', KEEP.short),
      weekday: text('digest_weekday', KEEP.short),
    },
  };
}

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');

/** The form as the use-cases take it; its values are theirs to check (src/admin/topics.ts). */
function inputOf(form: TopicForm): TopicInput {
  const { digest } = form;
  return {
    slug: form.slug,
    title: form.title,
    description: form.description,
    include: lines(form.include),
    exclude: lines(form.exclude),
    digest: {
      time: digest.time.trim(),
      timezone: digest.timezone.trim(),
      maxStories: digest.maxStories.trim() === '' ? Number.NaN : Number(digest.maxStories),
      period: digest.period as 'daily',
      weekday: digest.weekday as 'monday',
    },
  };
}

/** The topic part of a stored page result, when it has the shape this version writes. */
function topicResult(result: PageResult | undefined): TopicPageResult | undefined {
  const topic = (result as { topic?: TopicPageResult } | undefined)?.topic;
  return typeof topic?.form?.slug === 'string' && typeof topic.form.digest === 'object' ? topic : undefined;
}

export function registerTopicPageRoutes(app: FastifyInstance, kit: PageKit): void {
  const { api, html, sessionOf, csrfOf, shown, formPost } = kit;

  /** Stores what a post leaves to show; returns the URL of `page` showing it. */
  const keep = async (session: FormSession, page: string, flashes: Flash[], topic?: TopicPageResult) =>
    `${page}?result=${await api.pageResults.save(session.id, { v: 1, flashes, ...(topic ? { topic } : {}) })}`;

  const findTopic = async (slug: string): Promise<TopicView> => {
    const topic = (await api.listTopics()).find((t) => t.slug === slug);
    if (!topic) throw new HttpError(404, 'unknown_topic', `no topic "${slug.slice(0, 100)}"`);
    return topic;
  };

  app.get('/topics', async (request: FastifyRequest<{ Querystring: PageQuery }>, reply) => {
    const session = await sessionOf(request);
    if (session === null) return reply.redirect('/admin', 303);
    const { flashes, result } = await shown(session.id, request.query);
    return html(reply, topicsPage(await api.listTopics(), csrfOf(session), [...flashes, ...(result?.flashes ?? [])], topicResult(result)));
  });

  app.get('/topics/:slug', async (request: SlugRequest, reply) => {
    const session = await sessionOf(request);
    if (session === null) return reply.redirect('/admin', 303);
    const topic = await findTopic(request.params.slug);
    const { flashes, result } = await shown(session.id, request.query);
    return html(reply, topicEditPage(topic, csrfOf(session), [...flashes, ...(result?.flashes ?? [])], topicResult(result)));
  });

  app.get('/topics/:slug/delete', async (request: SlugRequest, reply) => {
    const session = await sessionOf(request);
    if (session === null) return reply.redirect('/admin', 303);
    return html(reply, topicDeletePage(await findTopic(request.params.slug), csrfOf(session)));
  });

  /** Preview or save a topic's form (`slug` null: a new topic); a refusal comes back with the form. */
  const post = async (request: FastifyRequest, session: FormSession, slug: string | null): Promise<string> => {
    const page = slug === null ? '/admin/topics' : `/admin/topics/${encodeURIComponent(slug)}`;
    const form = formOf(request.body, slug);
    try {
      if (field(request.body, 'action') === 'preview') {
        const { preview } = await api.previewTopicRules(inputOf(form));
        return await keep(session, page, [], { form, preview: previewSummary(preview) });
      }
      const { slug: _slug, ...changes } = inputOf(form);
      const outcome = slug === null ? await api.createTopic(inputOf(form)) : await api.changeTopic(slug, changes);
      const { enter, leave } = outcome.items;
      const text = `${slug === null ? `Topic “${outcome.topic.title}” created` : 'Changes saved'}: ${enter} stored item${enter === 1 ? '' : 's'} entered it, ${leave} left it; its feeds are re-rendered within seconds.`;
      const note: Flash[] = outcome.note ? [{ kind: 'note', text: `Note: ${outcome.note}.` }] : [];
      return await keep(session, page, [{ kind: 'ok', text }, ...note]);
    } catch (raw) {
      const error = toHttpError(raw);
      if (!(error instanceof HttpError) || error.status >= 500) throw raw;
      return keep(session, error.status === 404 ? '/admin/topics' : page, [{ kind: 'error', text: `Not saved: ${error.message}` }], { form });
    }
  };

  app.post(
    '/topics',
    formPost(
      (request, session) => post(request, session, null),
      () => ({ page: '/admin/topics', prefix: 'Not saved' }),
    ),
  );
  app.post(
    '/topics/:slug',
    formPost(
      (request: SlugRequest, session) => post(request, session, request.params.slug),
      () => ({ page: '/admin/topics', prefix: 'Not saved' }),
    ),
  );
  app.post(
    '/topics/:slug/delete',
    formPost(
      async (request: SlugRequest, session) => {
        const { topic, items, note } = await api.removeTopic(request.params.slug);
        const text = `Topic “${topic.title}” deleted: its feeds answer 404 now (${items.leave} stored item${items.leave === 1 ? '' : 's'} left it).`;
        return keep(session, '/admin/topics', [{ kind: 'ok', text }, ...(note ? [{ kind: 'note' as const, text: `Note: ${note}.` }] : [])]);
      },
      () => ({ page: '/admin/topics', prefix: 'Not deleted' }),
    ),
  );
}
