/**
 * The admin page's routes about one source: its page, the delete confirmation, and the
 * forms on them (pause, resume, poll now, edit, delete), each answering 303 to the page
 * that shows what happened (see admin-page-routes.ts, which hands over what they share).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminApi } from '../admin/api.ts';
import { AdminError } from '../admin/errors.ts';
import { CONFIG_NOTES } from '../admin/wording.ts';
import type { Flash } from './admin-layout.ts';
import { deleteConfirmPage, sourcePage } from './admin-page.ts';
import type { AddForm, PageResult } from './admin-page-results.ts';
import { parseId } from './admin-http.ts';
import { HttpError } from './errors.ts';
import { field, fieldAll } from './form-body.ts';

export type PageQuery = { done?: string; result?: string };
export type FormSession = { id: string; csrf: string };
type IdRequest = FastifyRequest<{ Params: { id: string }; Querystring: PageQuery }>;

/** What the page's routes share, built once in registerAdminPageRoutes. */
export interface PageKit {
  api: AdminApi;
  html(reply: FastifyReply, body: string, status?: number): FastifyReply;
  /** The request's session when it is ours and open; else null. */
  sessionOf(request: FastifyRequest): Promise<{ value: string; id: string } | null>;
  csrfOf(session: { value: string }): string;
  /** What a page's query asks it to show: a fixed message, and the result a post left for this session. */
  shown(sessionId: string, query: PageQuery): Promise<{ flashes: Flash[]; result?: PageResult }>;
  /** A form post answering 303 to the page `action` returns; a refusal is shown on the page `refused` names. */
  formPost<R extends FastifyRequest>(
    action: (request: R, session: FormSession) => Promise<string>,
    refused: (request: R, error: HttpError) => { page: string; prefix: string; form?: AddForm },
  ): (request: R, reply: FastifyReply) => Promise<FastifyReply>;
}

export function registerSourcePageRoutes(app: FastifyInstance, kit: PageKit): void {
  const { api, html, sessionOf, csrfOf, shown, formPost } = kit;

  /** Where a refused action is shown: the page its form was on (the table or the source's), or the table when there is no such source. */
  const refusedOn = (request: IdRequest, error: HttpError) =>
    error.status === 404 || error.code === 'invalid_id'
      ? '/admin'
      : backTo(field(request.body, 'back') ?? `/admin/sources/${request.params.id}`, request.params.id);

  app.get('/sources/:id', async (request: IdRequest, reply) => {
    const session = await sessionOf(request);
    if (session === null) return reply.redirect('/admin', 303);
    const detail = await api.getSource(parseId(request.params.id));
    const { flashes, result } = await shown(session.id, request.query);
    return html(reply, sourcePage(detail, api.topics, csrfOf(session), new Date(), [...flashes, ...(result?.flashes ?? [])]));
  });

  app.get('/sources/:id/delete', async (request: IdRequest, reply) => {
    const session = await sessionOf(request);
    if (session === null) return reply.redirect('/admin', 303);
    const { source } = await api.getSource(parseId(request.params.id));
    return html(reply, deleteConfirmPage(source, csrfOf(session), source.origin === 'config' ? CONFIG_NOTES.delete : null));
  });

  for (const [action, enabled] of [
    ['pause', false],
    ['resume', true],
  ] as const) {
    app.post(
      `/sources/:id/${action}`,
      formPost(
        async (request: IdRequest) => {
          const id = parseId(request.params.id);
          await api.changeSource(id, { enabled });
          return `${backTo(field(request.body, 'back'), id)}?done=${enabled ? 'resumed' : 'paused'}`;
        },
        (request, error) => ({ page: refusedOn(request, error), prefix: enabled ? 'Not resumed' : 'Not paused' }),
      ),
    );
  }

  app.post(
    '/sources/:id/refresh',
    formPost(
      async (request: IdRequest) => {
        const id = parseId(request.params.id);
        try {
          await api.refreshSource(id);
        } catch (error) {
          // A page loaded before the source was paused still offers the button: say why nothing happened.
          if (error instanceof AdminError && error.code === 'source_disabled') return `/admin/sources/${id}?done=not-polled`;
          throw error;
        }
        return `/admin/sources/${id}?done=refreshed`;
      },
      (request, error) => ({ page: refusedOn(request, error), prefix: 'Not polled' }),
    ),
  );

  app.post(
    '/sources/:id/edit',
    formPost(
      async (request: IdRequest) => {
        const id = parseId(request.params.id);
        // The form counts minutes; the range (and the title and topics) are checked by changeSource, as for the API and CLI.
        const interval = (field(request.body, 'interval_minutes') ?? '').trim();
        if (interval !== '' && !/^\d{1,9}$/.test(interval)) throw new HttpError(400, 'invalid_interval', 'the poll interval is a whole number of minutes');
        const minutes = interval === '' ? null : Number(interval);
        const updated = await api.changeSource(id, {
          title: field(request.body, 'title') ?? null,
          // Unchecking every box sends no "topics" field at all; the marker tells "none" from "not in this form".
          topics: field(request.body, 'topics_present') ? fieldAll(request.body, 'topics') : undefined,
          pollIntervalSeconds: minutes === null ? null : minutes * 60,
          fullContent: field(request.body, 'full_content_present') ? field(request.body, 'full_content') === '1' : undefined,
        });
        return `/admin/sources/${id}?done=${updated.note ? 'saved-config' : 'saved'}`;
      },
      (request, error) => ({ page: refusedOn(request, error), prefix: 'Not saved' }),
    ),
  );

  app.post(
    '/sources/:id/delete',
    formPost(
      async (request: IdRequest) => {
        const deleted = await api.removeSource(parseId(request.params.id));
        if (deleted.status === 'deleting') return '/admin?done=deleting';
        return `/admin?done=${deleted.note ? 'deleted-config' : 'deleted'}`;
      },
      (request, error) => ({ page: refusedOn(request, error), prefix: 'Not deleted' }),
    ),
  );
}

/** Where a form on a source returns: the table or the source's page, nothing else. */
function backTo(back: string | undefined, id: number | string): string {
  return back === `/admin/sources/${id}` ? back : '/admin';
}
