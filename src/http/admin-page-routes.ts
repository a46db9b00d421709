/**
 * The admin page under /admin: log in with ADMIN_TOKEN once (an HttpOnly, SameSite=Strict
 * cookie holding a signed session id, which the database says is open or not: see
 * auth.ts and src/admin/sessions.ts), then plain HTML forms that POST with a CSRF token
 * and answer 303 to a page (post/redirect/get), so a reload never repeats an action. The
 * page says what happened: a fixed message chosen by `?done=KEY`, or, for anything with
 * data in it (an import summary, a preview, a refusal), `?result=ID`, a result stored for
 * this session (src/admin/page-results.ts, admin-page-results.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminApi } from '../admin/api.ts';
import { ADMIN_CSP, type Flash } from './admin-layout.ts';
import { dashboardPage, errorPage, loginPage } from './admin-page.ts';
import {
  addOutcomeResult,
  doneMessage,
  formToKeep,
  readPageResult,
  RESULT_GONE,
  type AddForm,
  type PageResult,
  type PageResultBody,
} from './admin-page-results.ts';
import { registerSourcePageRoutes, type FormSession, type PageQuery } from './admin-page-source-routes.ts';
import { registerTopicPageRoutes } from './admin-page-topic-routes.ts';
import { registerStoryPageRoutes } from './admin-page-story-routes.ts';
import { toHttpError } from './admin-http.ts';
import {
  checkAdminToken,
  csrfToken,
  deriveKeys,
  readCookie,
  SESSION_COOKIE,
  sessionCookie,
  sessionIdOf,
  signSession,
  verifyCsrf,
  type AttemptLimiter,
} from './auth.ts';
import { HttpError } from './errors.ts';
import { field, fieldAll, registerFormParsers } from './form-body.ts';

export interface AdminPageDeps {
  api: AdminApi;
  token: string;
  secureCookies: boolean;
  limiter: AttemptLimiter;
}

const FORM_BODY_LIMIT = 5 * 1024 * 1024;

export function registerAdminPageRoutes(app: FastifyInstance, deps: AdminPageDeps): void {
  const { api } = deps;
  const keys = deriveKeys(deps.token);
  registerFormParsers(app, FORM_BODY_LIMIT);

  app.addHook('onRequest', async (_request, reply) => {
    reply
      .header('content-security-policy', ADMIN_CSP)
      .header('x-frame-options', 'DENY')
      .header('x-content-type-options', 'nosniff')
      // Not no-referrer: that makes browsers send "Origin: null" on our own form posts.
      .header('referrer-policy', 'same-origin')
      .header('cache-control', 'no-store');
  });

  /** Sessions found open, per request: the error page reuses the answer instead of asking the database again. */
  const checked = new WeakMap<FastifyRequest, { value: string; id: string } | null>();

  /** The session cookie, when it is ours and its session is open; else null. */
  const sessionOf = async (request: FastifyRequest): Promise<{ value: string; id: string } | null> => {
    const value = readCookie(request.headers.cookie, SESSION_COOKIE);
    const id = sessionIdOf(keys, value);
    const session = id !== null && (await api.sessions.isOpen(id)) ? { value: value!, id } : null;
    checked.set(request, session);
    return session;
  };

  /** For POSTs: a session, a matching CSRF token, and not from another site. Returns the session and the CSRF token for the answer. */
  const requireForm = async (request: FastifyRequest): Promise<{ id: string; csrf: string }> => {
    const session = await sessionOf(request);
    if (session === null) throw new HttpError(401, 'unauthorized', 'your session has ended; log in again');
    if (!sameOrigin(request) || !verifyCsrf(keys, session.value, field(request.body, '_csrf'))) {
      throw new HttpError(403, 'csrf_failed', 'this form could not be verified (expired page or another site); reload the page and try again');
    }
    return { id: session.id, csrf: csrfToken(keys, session.value) };
  };

  app.setErrorHandler((raw, request, reply) => {
    const error = toHttpError(raw) as Error & { statusCode?: number };
    const status = error instanceof HttpError ? error.status : error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 401) return reply.redirect('/admin', 303);
    // Our own 5xx (503: the database is unreachable) say what is wrong; anything else is a bug.
    const unexpected = status >= 500 && !(error instanceof HttpError);
    if (unexpected) request.log.error({ err: raw, url: request.url }, 'admin page failed');
    const session = checked.get(request);
    const message = unexpected ? 'something went wrong on our side; the error has been logged' : error.message;
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(errorPage(status, message, session ? csrfToken(keys, session.value) : undefined));
  });

  const html = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body);

  /** Stores what a post leaves to show; returns the URL of `page` showing it. */
  const withResult = async (session: FormSession, page: string, body: PageResultBody): Promise<string> =>
    `${page}?result=${await api.pageResults.save(session.id, { v: 1, ...body, form: body.form && formToKeep(body.form) } satisfies PageResult)}`;

  /** What a page's query asks it to show: a fixed message, and the result the post left, if this session may read it. */
  const shown = async (sessionId: string, query: PageQuery): Promise<{ flashes: Flash[]; result?: PageResult }> => {
    const done = doneMessage(query.done);
    if (query.result === undefined) return { flashes: done ? [done] : [] };
    const result = readPageResult(await api.pageResults.read(sessionId, query.result));
    return result ? { flashes: done ? [done] : [], result } : { flashes: [RESULT_GONE] };
  };

  /**
   * A form post: checks the session and the CSRF token, runs `action`, and answers 303 to
   * the page it returns. A refusal (a 4xx: bad input, a duplicate, a source gone) is stored
   * as a result and shown on the page `refused` names, with the message prefixed (the form
   * filled in again, for the add form); anything else is the error handler's.
   */
  const formPost =
    <R extends FastifyRequest>(
      action: (request: R, session: FormSession) => Promise<string>,
      refused: (request: R, error: HttpError) => { page: string; prefix: string; form?: AddForm },
    ) =>
    async (request: R, reply: FastifyReply) => {
      const session = await requireForm(request);
      let location: string;
      try {
        location = await action(request, session);
      } catch (raw) {
        const error = toHttpError(raw);
        if (!(error instanceof HttpError) || error.status >= 500) throw raw;
        const { page, prefix, form } = refused(request, error);
        location = await withResult(session, page, { flashes: [{ kind: 'error', text: `${prefix}: ${error.message}` }], form });
      }
      return reply.redirect(location, 303);
    };

  // -- log in / out ----------------------------------------------------------

  app.get('/', async (request: FastifyRequest<{ Querystring: PageQuery }>, reply) => {
    const session = await sessionOf(request);
    if (session === null) return html(reply, loginPage());
    const [sources, page] = [await api.listSources(), await shown(session.id, request.query)];
    return html(reply, dashboardPage({ sources, topics: api.topics, csrf: csrfToken(keys, session.value), now: new Date(), ...page }));
  });

  app.post('/login', async (request, reply) => {
    if (!sameOrigin(request)) throw new HttpError(403, 'csrf_failed', 'log in from the Tidings admin page');
    const check = checkAdminToken(field(request.body, 'token') ?? '', deps.token, deps.limiter, request.ip, Date.now());
    if (!check.ok && check.retryAfter !== null) {
      return html(
        reply.header('retry-after', String(check.retryAfter)),
        loginPage({ error: `Too many wrong tokens from this address; try again in ${check.retryAfter} s.` }),
        429,
      );
    }
    if (!check.ok) return html(reply, loginPage({ error: 'Wrong admin token.' }), 401);
    const id = await api.sessions.open();
    return reply.header('set-cookie', sessionCookie(signSession(keys, id), deps.secureCookies)).redirect('/admin', 303);
  });

  app.post('/logout', async (request, reply) => {
    const { id } = await requireForm(request);
    await api.sessions.close(id);
    return reply.header('set-cookie', sessionCookie('', deps.secureCookies, 0)).redirect('/admin', 303);
  });

  // -- sources ---------------------------------------------------------------

  const addForm = (request: FastifyRequest): AddForm => ({
    url: field(request.body, 'url') ?? '',
    title: field(request.body, 'title') ?? '',
    topics: fieldAll(request.body, 'topics'),
    fullContent: field(request.body, 'full_content') === '1',
  });

  app.post(
    '/sources',
    formPost(
      async (request, session) => {
        const form = addForm(request);
        const dryRun = field(request.body, 'action') === 'preview';
        const outcome = await api.addSource({ url: form.url!, title: form.title, topics: form.topics, fullContent: form.fullContent, dryRun });
        if (outcome.kind === 'added') return `/admin/sources/${outcome.source.id}?done=added`;
        return withResult(session, '/admin', addOutcomeResult(outcome, form));
      },
      (request) => ({ page: '/admin', prefix: 'Not added', form: addForm(request) }),
    ),
  );

  const kit = { api, html, sessionOf, csrfOf: (session: { value: string }) => csrfToken(keys, session.value), shown, formPost };
  registerSourcePageRoutes(app, kit);
  registerTopicPageRoutes(app, kit);
  registerStoryPageRoutes(app, kit);

  // -- OPML ------------------------------------------------------------------

  app.post(
    '/opml',
    formPost(
      async (request, session) => {
        const text = [field(request.body, 'file'), field(request.body, 'opml')].find((t) => t !== undefined && t.trim() !== '');
        if (text === undefined) throw new HttpError(400, 'opml_missing', 'choose an OPML file or paste one');
        return withResult(session, '/admin', { flashes: [], opml: await api.importOpml(text) });
      },
      () => ({ page: '/admin', prefix: 'Not imported' }),
    ),
  );

  app.get('/opml', async (request, reply) => {
    if ((await sessionOf(request)) === null) return reply.redirect('/admin', 303);
    return reply
      .type('text/x-opml; charset=utf-8')
      .header('content-disposition', 'attachment; filename="tidings-sources.opml"')
      .send(await api.exportOpml());
  });
}

/**
 * Defence in depth behind SameSite=Strict and the CSRF token: refuse a form that a
 * browser says comes from another site. Clients that send neither header pass.
 */
function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
