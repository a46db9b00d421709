/**
 * The admin page under /admin: log in with ADMIN_TOKEN once (an HttpOnly, SameSite=Strict
 * cookie holding a signed session id, which the database says is open or not: see
 * auth.ts and src/admin/sessions.ts), then plain HTML forms that POST with a
 * CSRF token and redirect back (post/redirect/get), so a reload never repeats an action.
 * Results that must be shown (a preview, feed choices, an import summary) render directly.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminApi } from '../admin/api.ts';
import { AdminError } from '../admin/errors.ts';
import { CONFIG_NOTES } from '../admin/wording.ts';
import { ADMIN_CSP, type Flash } from './admin-layout.ts';
import { dashboardPage, deleteConfirmPage, errorPage, loginPage, sourcePage, type AddForm } from './admin-page.ts';
import { parseId, toHttpError } from './admin-http.ts';
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

/** Messages after a redirect, chosen by a fixed key (never text from the URL). */
const DONE: Record<string, Flash> = {
  added: { kind: 'ok', text: 'Source added and polled: its items are below.' },
  paused: { kind: 'ok', text: 'Source paused: it is not polled until you resume it.' },
  resumed: { kind: 'ok', text: 'Source resumed: it is polled at the next cycle.' },
  saved: { kind: 'ok', text: 'Changes saved.' },
  'saved-config': { kind: 'note', text: `Changes saved; note: ${CONFIG_NOTES.update}.` },
  refreshed: { kind: 'ok', text: 'Polled now: see the state and the poll history below.' },
  'not-polled': { kind: 'note', text: 'Not polled: the source is paused or disabled. Resume it to poll it.' },
  deleted: { kind: 'ok', text: 'Source deleted, with its items.' },
  deleting: { kind: 'note', text: 'Deleting the source: its items are removed in the background, a batch at a time; the table shows how many are left.' },
  'deleted-config': { kind: 'note', text: `Source deleted, with its items; note: ${CONFIG_NOTES.delete}.` },
  'logged-in': { kind: 'ok', text: 'Logged in.' },
};

type IdRequest = FastifyRequest<{ Params: { id: string }; Querystring: { done?: string } }>;

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

  async function dashboard(
    reply: FastifyReply,
    csrf: string,
    extra: {
      flashes?: Flash[];
      form?: AddForm;
      result?: Parameters<typeof dashboardPage>[0]['result'];
      opml?: Parameters<typeof dashboardPage>[0]['opml'];
    } = {},
    status = 200,
  ) {
    const sources = await api.listSources();
    return html(reply, dashboardPage({ sources, topics: api.topics, csrf, now: new Date(), ...extra }), status);
  }

  // -- log in / out ----------------------------------------------------------

  app.get('/', async (request: FastifyRequest<{ Querystring: { done?: string } }>, reply) => {
    const session = await sessionOf(request);
    if (session === null) return html(reply, loginPage());
    const done = DONE[request.query.done ?? ''];
    return dashboard(reply, csrfToken(keys, session.value), { flashes: done ? [done] : [] });
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

  app.post('/sources', async (request, reply) => {
    const { csrf } = await requireForm(request);
    const form: AddForm = { url: field(request.body, 'url') ?? '', title: field(request.body, 'title') ?? '', topics: fieldAll(request.body, 'topics') };
    try {
      const outcome = await api.addSource({ url: form.url!, title: form.title, topics: form.topics, dryRun: field(request.body, 'action') === 'preview' });
      if (outcome.kind === 'added') return reply.redirect(`/admin/sources/${outcome.source.id}?done=added`, 303);
      return await dashboard(reply, csrf, { form, result: outcome });
    } catch (error) {
      if (!(error instanceof AdminError)) throw error;
      const status = (toHttpError(error) as HttpError).status;
      return dashboard(reply, csrf, { form, flashes: [{ kind: 'error', text: `Not added: ${error.message}` }] }, status);
    }
  });

  app.get('/sources/:id', async (request: IdRequest, reply) => {
    const session = await sessionOf(request);
    if (session === null) return reply.redirect('/admin', 303);
    const detail = await api.getSource(parseId(request.params.id));
    const done = DONE[request.query.done ?? ''];
    return html(reply, sourcePage(detail, api.topics, csrfToken(keys, session.value), new Date(), done ? [done] : []));
  });

  app.get('/sources/:id/delete', async (request: IdRequest, reply) => {
    const session = await sessionOf(request);
    if (session === null) return reply.redirect('/admin', 303);
    const { source } = await api.getSource(parseId(request.params.id));
    return html(reply, deleteConfirmPage(source, csrfToken(keys, session.value), source.origin === 'config' ? CONFIG_NOTES.delete : null));
  });

  for (const [action, enabled] of [
    ['pause', false],
    ['resume', true],
  ] as const) {
    app.post(`/sources/:id/${action}`, async (request: IdRequest, reply) => {
      await requireForm(request);
      const id = parseId(request.params.id);
      await api.changeSource(id, { enabled });
      return reply.redirect(`${backTo(field(request.body, 'back'), id)}?done=${enabled ? 'resumed' : 'paused'}`, 303);
    });
  }

  app.post('/sources/:id/refresh', async (request: IdRequest, reply) => {
    await requireForm(request);
    const id = parseId(request.params.id);
    try {
      await api.refreshSource(id);
    } catch (error) {
      // A page loaded before the source was paused still offers the button: say why nothing happened.
      if (error instanceof AdminError && error.code === 'source_disabled') return reply.redirect(`/admin/sources/${id}?done=not-polled`, 303);
      throw error;
    }
    return reply.redirect(`/admin/sources/${id}?done=refreshed`, 303);
  });

  app.post('/sources/:id/edit', async (request: IdRequest, reply) => {
    await requireForm(request);
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
    });
    return reply.redirect(`/admin/sources/${id}?done=${updated.note ? 'saved-config' : 'saved'}`, 303);
  });

  app.post('/sources/:id/delete', async (request: IdRequest, reply) => {
    await requireForm(request);
    const deleted = await api.removeSource(parseId(request.params.id));
    if (deleted.status === 'deleting') return reply.redirect('/admin?done=deleting', 303);
    return reply.redirect(`/admin?done=${deleted.note ? 'deleted-config' : 'deleted'}`, 303);
  });

  // -- OPML ------------------------------------------------------------------

  app.post('/opml', async (request, reply) => {
    const { csrf } = await requireForm(request);
    const text = [field(request.body, 'file'), field(request.body, 'opml')].find((t) => t !== undefined && t.trim() !== '');
    if (text === undefined) return dashboard(reply, csrf, { flashes: [{ kind: 'error', text: 'Choose an OPML file or paste one.' }] }, 400);
    try {
      return await dashboard(reply, csrf, { opml: await api.importOpml(text) });
    } catch (error) {
      if (!(error instanceof AdminError)) throw error;
      return dashboard(reply, csrf, { flashes: [{ kind: 'error', text: `Not imported: ${error.message}` }] }, 422);
    }
  });

  app.get('/opml', async (request, reply) => {
    if ((await sessionOf(request)) === null) return reply.redirect('/admin', 303);
    return reply
      .type('text/x-opml; charset=utf-8')
      .header('content-disposition', 'attachment; filename="tidings-sources.opml"')
      .send(await api.exportOpml());
  });
}

/** Where a pause/resume button returns: the table or the source's page, nothing else. */
function backTo(back: string | undefined, id: number): string {
  return back === `/admin/sources/${id}` ? back : '/admin';
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
