/**
 * The admin pages: log-in, the sources table (failing first) with the add-source and OPML
 * import forms (what they did is shown above the table: admin-page-results.ts), one
 * source's page, the delete confirmation. Plain forms that POST (with the CSRF token) and
 * redirect; usable without JavaScript.
 */
import type { SourceDetail } from '../admin/manage-sources.ts';
import type { SourceView } from '../admin/source-view.ts';
import { LIMITS } from '../admin/validate.ts';
import { sourceName, STATE_LABELS } from '../admin/wording.ts';
import { csrfField, externalLink, h, layout, timeCell, type Flash } from './admin-layout.ts';
import { resultSections, type AddForm, type PageResult } from './admin-page-results.ts';
import { storiesLinks } from './admin-page-stories.ts';

export interface TopicOption {
  slug: string;
  title: string;
}

export function loginPage(options: { error?: string; status?: 'disabled' } = {}): string {
  const flashes: Flash[] = options.error ? [{ kind: 'error', text: options.error }] : [];
  const form = `<h1>Log in</h1>
  <form method="post" action="/admin/login">
    <label for="token">Admin token <span class="hint">(the ADMIN_TOKEN the service was started with)</span></label>
    <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
    <p><button class="primary" type="submit">Log in</button></p>
  </form>`;
  return layout({ title: 'Log in', flashes }, options.status === 'disabled' ? '<h1>Administration is disabled</h1>' : form);
}

// ---------------------------------------------------------------------------
// The sources table

const isFailing = (s: SourceView) => s.state === 'failing' || s.state === 'flagged';

/** Sources that need attention first (flagged, then failing), then the rest in the given order. */
function attentionOrder(sources: readonly SourceView[]): SourceView[] {
  const rank = (s: SourceView) => (s.state === 'flagged' ? 0 : s.state === 'failing' ? 1 : s.state === 'disabled' ? 2 : 3);
  return [...sources].sort((a, b) => rank(a) - rank(b));
}

function stateCell(source: SourceView): string {
  const detail = isFailing(source)
    ? `<br><small><code>${h(source.errorCode ?? '')}</code> ${h(source.errorMessage ?? '')}</small>`
    : source.state === 'disabled' || source.state === 'paused'
      ? `<br><small>${h(source.disabledReason ?? '')}</small>`
      : source.state === 'deleting'
        ? `<br><small>${source.itemsTotal} items left to delete</small>`
        : '';
  return `<span class="state state-${source.state}">${STATE_LABELS[source.state]}</span>${detail}`;
}

/** When the source is polled next: "due now" once that time has passed (the next cycle takes it), or why it is not polled. */
function nextPoll(source: SourceView, now: Date): string {
  if (source.state === 'deleting') return '<span class="muted">—</span>';
  if (!source.enabled || source.nextPollAt === null) return `<span class="muted">${source.state === 'paused' ? 'paused' : 'disabled'}</span>`;
  if (source.nextPollAt.getTime() <= now.getTime()) return timeCell(source.nextPollAt, now, '', 'due now');
  return timeCell(source.nextPollAt, now);
}

function pauseButton(source: SourceView, csrf: string, back: string): string {
  const [action, label] = source.enabled ? ['pause', 'Pause'] : ['resume', 'Resume'];
  return `<form class="inline" method="post" action="/admin/sources/${source.id}/${action}">${csrfField(csrf)}<input type="hidden" name="back" value="${h(back)}"><button type="submit" aria-label="${label} ${h(sourceName(source))}">${label}</button></form>`;
}

function sourcesTable(sources: readonly SourceView[], csrf: string, now: Date): string {
  if (sources.length === 0) return '<p>No sources yet: add one below, import an OPML list, or list them in feeds.config.json.</p>';
  const rows = attentionOrder(sources).map((s) => {
    const name = sourceName(s);
    return `<tr id="source-${s.id}" data-state="${s.state}">
      <td data-label="Source" class="text"><a href="/admin/sources/${s.id}">${h(name)}</a>${s.origin === 'config' ? ' <small>(config)</small>' : ''}<br><span class="url">${h(s.url)}</span></td>
      <td data-label="State" class="text">${stateCell(s)}</td>
      <td data-label="Last poll">${timeCell(s.lastPolledAt, now)}</td>
      <td data-label="Last success">${timeCell(s.lastSuccessAt, now)}</td>
      <td data-label="Failures" class="num">${s.consecutiveFailures}</td>
      <td data-label="Items, 7 days" class="num">${s.itemsLast7Days}</td>
      <td data-label="Next poll">${nextPoll(s, now)}</td>
      <td data-label="Actions"><div class="actions">${s.state === 'deleting' ? '' : `${pauseButton(s, csrf, '/admin')} <a class="button" href="/admin/sources/${s.id}/delete" aria-label="Delete ${h(name)}">Delete…</a>`}</div></td>
    </tr>`;
  });
  const failing = sources.filter(isFailing).length;
  const paused = sources.filter((s) => s.state === 'paused').length;
  return `<table class="sources cards">
    <caption>${sources.length} source${sources.length === 1 ? '' : 's'}: ${failing} failing, ${paused} paused. Failing sources are listed first.</caption>
    <thead><tr><th scope="col">Source</th><th scope="col">State</th><th scope="col">Last poll</th><th scope="col">Last success</th><th scope="col" class="num">Failures</th><th scope="col" class="num">Items, 7 days</th><th scope="col">Next poll</th><th scope="col">Actions</th></tr></thead>
    <tbody>
    ${rows.join('\n')}
    </tbody>
  </table>`;
}

// ---------------------------------------------------------------------------
// Adding a source

function topicCheckboxes(topics: readonly TopicOption[], chosen: readonly string[], idPrefix: string): string {
  if (topics.length === 0) return '';
  const boxes = topics
    .map(
      (t) =>
        `<label for="${idPrefix}-${h(t.slug)}"><input type="checkbox" id="${idPrefix}-${h(t.slug)}" name="topics" value="${h(t.slug)}"${chosen.includes(t.slug) ? ' checked' : ''}> ${h(t.title)}</label>`,
    )
    .join('\n');
  return `<fieldset><legend>Topics <span class="hint">(every item of the source enters these; phrases match the rest)</span></legend>${boxes}</fieldset>`;
}

function fullContentCheckbox(id: string, checked: boolean): string {
  return `<label for="${id}"><input type="checkbox" id="${id}" name="full_content" value="1"${checked ? ' checked' : ''}> Full article text <span class="hint">(fetch each new item's page and use its article; for feeds that carry only a summary)</span></label>`;
}

function fullContentFacts(s: SourceView): string {
  if (!s.fullContent) return 'off';
  const { last7Days, lastError } = s.fullContentFailures;
  if (last7Days === 0) return 'on';
  return `on; <span class="warn">${last7Days} article${last7Days === 1 ? '' : 's'} not extracted in the last 7 days</span> (the feed's own text stands)${lastError ? `<br><small>latest: ${h(lastError)}</small>` : ''}`;
}

function addSourceForm(topics: readonly TopicOption[], csrf: string, form: AddForm): string {
  return `<form method="post" action="/admin/sources" id="add-source">
    ${csrfField(csrf)}
    <label for="add-url">Feed or site URL</label>
    <input id="add-url" name="url" type="url" inputmode="url" required maxlength="${LIMITS.urlLength}" placeholder="https://example.org/feed.xml" value="${h(form.url ?? '')}">
    <label for="add-title">Title <span class="hint">(optional; default: the feed's own title)</span></label>
    <input id="add-title" name="title" type="text" maxlength="${LIMITS.titleLength}" value="${h(form.title ?? '')}">
    ${topicCheckboxes(topics, form.topics ?? [], 'add-topic')}
    ${fullContentCheckbox('add-full-content', form.fullContent ?? false)}
    <p class="actions"><button type="submit" name="action" value="preview">Preview</button> <button class="primary" type="submit" name="action" value="add">Add source</button></p>
  </form>`;
}

export interface DashboardInput {
  sources: readonly SourceView[];
  topics: readonly TopicOption[];
  csrf: string;
  now: Date;
  flashes?: Flash[];
  /** What the form post that led here left to show: at the top, above the table. */
  result?: PageResult | undefined;
}

export function dashboardPage(input: DashboardInput): string {
  const names = new Map(input.sources.map((s) => [s.id, sourceName(s)]));
  const body = `<h1>Sources</h1>
  ${storiesLinks(input.topics)}
  ${resultSections(input.result, input.csrf, (id) => names.get(id))}
  ${sourcesTable(input.sources, input.csrf, input.now)}
  <h2 id="add">Add a source</h2>
  <p class="hint">Tidings fetches the address first: a feed is previewed and added; for a web page, the feeds it links to are offered.</p>
  ${addSourceForm(input.topics, input.csrf, input.result?.form ?? {})}
  <h2 id="import">Import an OPML list</h2>
  <form method="post" action="/admin/opml" enctype="multipart/form-data">
    ${csrfField(input.csrf)}
    <label for="opml-file">OPML file <span class="hint">(exported by a feed reader; folders named like a topic map to it)</span></label>
    <input id="opml-file" name="file" type="file" accept=".opml,.xml,text/x-opml,text/xml,application/xml">
    <label for="opml-text">…or paste it</label>
    <textarea id="opml-text" name="opml" spellcheck="false"></textarea>
    <p><button class="primary" type="submit">Import</button></p>
  </form>`;
  return layout({ title: 'Sources', csrf: input.csrf, flashes: [...(input.flashes ?? []), ...(input.result?.flashes ?? [])] }, body);
}

// ---------------------------------------------------------------------------
// One source

export function sourcePage(detail: SourceDetail, topics: readonly TopicOption[], csrf: string, now: Date, flashes: Flash[] = []): string {
  const s = detail.source;
  const name = sourceName(s);
  const back = `/admin/sources/${s.id}`;
  const items = detail.items
    .map(
      (i) =>
        `<li>${externalLink(i.url, i.title || '(untitled)')} <small><a href="/admin/stories/${i.storyId}" aria-label="Story of ${h(i.title || 'this item')}">story</a>${i.hidden ? ' · <span class="warn">hidden</span>' : ''} · ${timeCell(i.publishedAt, now)}${i.topics.length > 0 ? ` · ${h(i.topics.join(', '))}` : ''}${i.truncated.length > 0 ? ` · <span class="warn">cut to size: ${h(i.truncated.join(', '))}</span>` : ''}</small></li>`,
    )
    .join('\n');
  const events = detail.events
    .map(
      (e) =>
        `<tr><td data-label="When">${timeCell(e.polledAt, now)}</td><td data-label="Outcome">${h(e.outcome)}</td><td data-label="HTTP" class="num">${e.status ?? '—'}</td><td data-label="New" class="num">${e.newItems}</td><td data-label="Updated" class="num">${e.updatedItems}</td><td data-label="ms" class="num">${e.durationMs}</td><td data-label="Error" class="text">${e.errorCode ? `<code>${h(e.errorCode)}</code> ${h(e.errorMessage ?? '')}` : ''}</td></tr>`,
    )
    .join('\n');
  const body = `<h1>${h(name)}</h1>
  <p class="url">${externalLink(s.url, s.url)}</p>
  <div class="actions">
    ${s.enabled ? `<form class="inline" method="post" action="/admin/sources/${s.id}/refresh">${csrfField(csrf)}<button type="submit">Poll now</button></form>` : ''}
    ${
      s.state === 'deleting'
        ? ''
        : `${pauseButton(s, csrf, back)}
    <a class="button" href="/admin/sources/${s.id}/delete">Delete…</a>`
    }
  </div>
  <h2>Health</h2>
  <dl class="facts">
    <dt>State</dt><dd>${stateCell(s)}</dd>
    <dt>Origin</dt><dd>${s.origin === 'config' ? 'feeds.config.json' : 'added by an admin'}</dd>
    <dt>Last poll</dt><dd>${timeCell(s.lastPolledAt, now)}${s.lastStatus ? ` (HTTP ${s.lastStatus})` : ''}</dd>
    <dt>Last success</dt><dd>${timeCell(s.lastSuccessAt, now)}</dd>
    <dt>Consecutive failures</dt><dd>${s.consecutiveFailures}</dd>
    <dt>Next poll</dt><dd>${nextPoll(s, now)}</dd>
    <dt>Push (WebSub)</dt><dd>${pushCell(s, now)}</dd>
    <dt>Items</dt><dd>${s.itemsTotal} stored, ${s.itemsLast7Days} in the last 7 days</dd>
    <dt>Full article text</dt><dd>${fullContentFacts(s)}</dd>
    <dt>Topics</dt><dd>${s.topics.length > 0 ? h(s.topics.join(', ')) : '<span class="muted">none (items enter topics by phrase only)</span>'}</dd>
  </dl>
  <h2>Settings</h2>
  ${s.origin === 'config' ? '<p class="hint">This source comes from feeds.config.json: its topics and full article text setting, and its title when the file sets one, are reset from the file at the next start.</p>' : ''}
  <form method="post" action="/admin/sources/${s.id}/edit">
    ${csrfField(csrf)}
    <label for="edit-title">Title</label>
    <input id="edit-title" name="title" type="text" maxlength="${LIMITS.titleLength}" value="${h(s.title ?? '')}">
    ${topicCheckboxes(topics, s.topics, 'edit-topic')}
    <input type="hidden" name="topics_present" value="1">
    ${fullContentCheckbox('edit-full-content', s.fullContent)}
    <input type="hidden" name="full_content_present" value="1">
    <label for="edit-interval">Poll every … minutes <span class="hint">(empty: as the feed and the defaults suggest)</span></label>
    <input id="edit-interval" name="interval_minutes" type="number" min="${LIMITS.pollIntervalSeconds.min / 60}" max="${LIMITS.pollIntervalSeconds.max / 60}" step="1" value="${s.pollIntervalSeconds === null ? '' : Math.round(s.pollIntervalSeconds / 60)}">
    <p><button class="primary" type="submit">Save</button></p>
  </form>
  <h2>Latest items</h2>
  <ul class="items">${items || '<li class="muted">No items stored.</li>'}</ul>
  <h2>Poll history</h2>
  ${events ? `<table class="events cards"><caption>The latest polls, newest first.</caption><thead><tr><th scope="col">When</th><th scope="col">Outcome</th><th scope="col" class="num">HTTP</th><th scope="col" class="num">New</th><th scope="col" class="num">Updated</th><th scope="col" class="num">ms</th><th scope="col">Error</th></tr></thead><tbody>${events}</tbody></table>` : '<p class="muted">Not polled yet.</p>'}`;
  return layout({ title: name, csrf, flashes }, body);
}

/** The source's WebSub subscription: its state, until when, the last push (README § Push subscriptions). */
function pushCell(s: SourceView, now: Date): string {
  const push = s.push;
  if (push === null) return '<span class="muted">none (the feed names no hub)</span>';
  const state = push.state === 'subscribed' ? `subscribed until ${timeCell(push.subscribedUntil, now)}` : 'subscribing (awaiting the hub)';
  const error = push.error ? `; ${h(push.error)}` : '';
  return `${state} at ${externalLink(push.hub, push.hub)}; last push ${timeCell(push.lastPushAt, now)}${error}`;
}

export function deleteConfirmPage(source: SourceView, csrf: string, configNote: string | null): string {
  const name = sourceName(source);
  const body = `<h1>Delete ${h(name)}?</h1>
  <p class="url">${h(source.url)}</p>
  <p>Its ${source.itemsTotal} stored item${source.itemsTotal === 1 ? '' : 's'} are deleted too and leave the topic feeds. This cannot be undone; pausing keeps the items.</p>
  ${configNote ? `<p class="flash note">${h(configNote)}</p>` : ''}
  <div class="actions">
    <form class="inline" method="post" action="/admin/sources/${source.id}/delete">${csrfField(csrf)}<button class="danger" type="submit">Delete ${h(name)}</button></form>
    <a class="button" href="/admin/sources/${source.id}">Cancel</a>
  </div>`;
  return layout({ title: `Delete ${name}`, csrf }, body);
}

export function errorPage(status: number, message: string, csrf?: string): string {
  return layout(
    { title: `Error ${status}`, csrf, flashes: [{ kind: 'error', text: message }] },
    `<h1>${status === 404 ? 'Not found' : 'Something went wrong'}</h1><p><a href="/admin">Back to the sources</a></p>`,
  );
}
