/**
 * The admin page's topics: the list with the form to create one, a topic's edit form, and
 * the delete confirmation (routes: admin-page-topic-routes.ts). A form has two buttons:
 * Preview shows, above the form filled in again, how many stored items would enter and leave
 * the topic, with sample titles; Save stores it. Rules are one per line. Plain forms, no
 * script; every value escaped.
 */
import type { TopicPreview, TopicView } from '../admin/api.ts';
import { LIMITS } from '../admin/validate.ts';
import { CONFIG_NOTES } from '../admin/wording.ts';
import type { TopicDigestSettings } from '../db/schema.ts';
import { csrfField, externalLink, h, layout, type Flash } from './admin-layout.ts';

/** The form as posted (and kept, to be shown again after a preview or a refusal). */
export interface TopicForm {
  slug: string;
  title: string;
  description: string;
  /** One rule per line. */
  include: string;
  exclude: string;
  digest: { [K in keyof TopicDigestSettings]: string };
}

/** What a topic form's post leaves for the page it redirects to (src/admin/page-results.ts). */
export interface TopicPageResult {
  form: TopicForm;
  preview?: Pick<TopicPreview, 'counts' | 'scanned' | 'days'> & { enter: SampleItem[]; leave: SampleItem[] };
}

export interface SampleItem {
  title: string;
  url: string | null;
  source: string;
  /** The rule that decided (include for entering, exclude or none for leaving). */
  rule: string | null;
}

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const SAMPLES = 10;

export function topicFormOf(topic: TopicView): TopicForm {
  const { digest } = topic;
  return {
    slug: topic.slug,
    title: topic.title,
    description: topic.description,
    include: topic.include.join('\n'),
    exclude: topic.exclude.join('\n'),
    digest: { time: digest.time, timezone: digest.timezone, maxStories: String(digest.maxStories), period: digest.period, weekday: digest.weekday },
  };
}

export const EMPTY_TOPIC_FORM: TopicForm = {
  slug: '',
  title: '',
  description: '',
  include: '',
  exclude: '',
  digest: { time: '07:00', timezone: 'UTC', maxStories: '20', period: 'daily', weekday: 'monday' },
};

/** The preview as kept in a page result: the counts and a few titles each way. */
export function previewSummary(preview: TopicPreview): NonNullable<TopicPageResult['preview']> {
  const sample = (entries: TopicPreview['enter'], rule: (e: TopicPreview['enter'][number]) => string | null): SampleItem[] =>
    entries.slice(0, SAMPLES).map((e) => ({ title: e.title, url: e.url, source: e.source.title, rule: rule(e) }));
  return {
    counts: preview.counts,
    scanned: preview.scanned,
    days: preview.days,
    enter: sample(preview.enter, (e) => e.matchedBy),
    leave: sample(preview.leave, (e) => e.excludedBy),
  };
}

function previewSection(preview: NonNullable<TopicPageResult['preview']>): string {
  const list = (items: SampleItem[], none: string) =>
    items.length === 0
      ? `<li class="muted">${none}</li>`
      : items.map((i) => `<li>${externalLink(i.url, i.title || '(untitled)')} <small>${h(i.source)}${i.rule ? ` · ${h(i.rule)}` : ''}</small></li>`).join('\n');
  const { enter, leave, stay } = preview.counts;
  return `<section class="card" aria-labelledby="topic-preview-heading"><h2 id="topic-preview-heading">Preview</h2>
    <p id="topic-preview-counts"><strong>${enter}</strong> stored item${enter === 1 ? '' : 's'} would enter the topic, <strong>${leave}</strong> would leave it, ${stay} stay <small>(of the ${preview.scanned} newest items of the last ${preview.days} days)</small>. Nothing is saved yet.</p>
    <h3>Entering</h3><ul class="items" id="topic-preview-enter">${list(preview.enter, 'None.')}</ul>
    <h3>Leaving</h3><ul class="items" id="topic-preview-leave">${list(preview.leave, 'None.')}</ul></section>`;
}

function topicForm(action: string, form: TopicForm, csrf: string, isNew: boolean): string {
  const d = form.digest;
  const option = (value: string, current: string) => `<option value="${h(value)}"${value === current ? ' selected' : ''}>${h(value)}</option>`;
  return `<form method="post" action="${h(action)}" id="topic-form">
    ${csrfField(csrf)}
    ${
      isNew
        ? `<label for="topic-slug">Slug <span class="hint">(lower-case letters, digits and dashes: its feeds are /topics/&lt;slug&gt;/…)</span></label>
    <input id="topic-slug" name="slug" type="text" required maxlength="64" value="${h(form.slug)}">`
        : `<input type="hidden" name="slug" value="${h(form.slug)}">`
    }
    <label for="topic-title">Title</label>
    <input id="topic-title" name="title" type="text" required maxlength="${LIMITS.titleLength}" value="${h(form.title)}">
    <label for="topic-description">Description <span class="hint">(optional)</span></label>
    <input id="topic-description" name="description" type="text" maxlength="${LIMITS.descriptionLength}" value="${h(form.description)}">
    <label for="topic-include">Include rules <span class="hint">(one per line: a phrase, or title:…, category:…, source:…, author:…; quotes allowed: title:"north korea")</span></label>
    <textarea id="topic-include" name="include" spellcheck="false">${h(form.include)}</textarea>
    <label for="topic-exclude">Exclude rules <span class="hint">(one per line; an item matching one stays out)</span></label>
    <textarea id="topic-exclude" name="exclude" spellcheck="false">${h(form.exclude)}</textarea>
    <h3>Digest</h3>
    <label for="topic-period">Period</label>
    <select id="topic-period" name="digest_period">${['daily', 'weekly'].map((p) => option(p, d.period)).join('')}</select>
    <label for="topic-weekday">Weekday <span class="hint">(of a weekly digest)</span></label>
    <select id="topic-weekday" name="digest_weekday">${WEEKDAYS.map((w) => option(w, d.weekday)).join('')}</select>
    <label for="topic-time">Time <span class="hint">(24-hour, e.g. 07:00)</span></label>
    <input id="topic-time" name="digest_time" type="text" value="${h(d.time)}">
    <label for="topic-timezone">Time zone <span class="hint">(IANA, e.g. Asia/Seoul)</span></label>
    <input id="topic-timezone" name="digest_timezone" type="text" value="${h(d.timezone)}">
    <label for="topic-max">Stories in a digest</label>
    <input id="topic-max" name="digest_max_stories" type="number" min="1" max="200" value="${h(d.maxStories)}">
    <p class="actions"><button type="submit" name="action" value="preview">Preview</button> <button class="primary" type="submit" name="action" value="save">Save</button></p>
  </form>`;
}

function topicsTable(topics: readonly TopicView[]): string {
  if (topics.length === 0) return '<p>No topics yet: create one below, or list them in feeds.config.json.</p>';
  const rows = topics.map(
    (t) => `<tr id="topic-${h(t.slug)}">
      <td data-label="Topic" class="text"><a href="/admin/topics/${h(t.slug)}">${h(t.title)}</a> <small>${h(t.slug)}${t.origin === 'config' ? ' (config)' : ''}</small></td>
      <td data-label="Include" class="text">${h(t.include.join(', ')) || '<span class="muted">none</span>'}</td>
      <td data-label="Exclude" class="text">${h(t.exclude.join(', '))}</td>
      <td data-label="Feed"><a href="/topics/${h(t.slug)}/">page</a></td>
      <td data-label="Actions"><div class="actions"><a class="button" href="/admin/topics/${h(t.slug)}" aria-label="Edit ${h(t.title)}">Edit</a> <a class="button" href="/admin/topics/${h(t.slug)}/delete" aria-label="Delete ${h(t.title)}">Delete…</a></div></td>
    </tr>`,
  );
  return `<table class="topics cards"><caption>${topics.length} topic${topics.length === 1 ? '' : 's'}.</caption>
    <thead><tr><th scope="col">Topic</th><th scope="col">Include</th><th scope="col">Exclude</th><th scope="col">Feed</th><th scope="col">Actions</th></tr></thead>
    <tbody>${rows.join('\n')}</tbody></table>`;
}

export function topicsPage(topics: readonly TopicView[], csrf: string, flashes: Flash[], result: TopicPageResult | undefined): string {
  const body = `<h1>Topics</h1>
  ${topicsTable(topics)}
  <h2 id="new-topic">New topic</h2>
  ${result?.preview ? previewSection(result.preview) : ''}
  ${topicForm('/admin/topics', result?.form ?? EMPTY_TOPIC_FORM, csrf, true)}`;
  return layout({ title: 'Topics', csrf, flashes }, body);
}

export function topicEditPage(topic: TopicView, csrf: string, flashes: Flash[], result: TopicPageResult | undefined): string {
  const body = `<h1>${h(topic.title)} <small>${h(topic.slug)}</small></h1>
  <p><a href="/topics/${h(topic.slug)}/">Its page</a> · <a href="/admin/topics">All topics</a></p>
  ${topic.origin === 'config' ? '<p class="hint">This topic comes from feeds.config.json: a change here lasts until the next start, when the file’s version returns; edit the file to keep it.</p>' : ''}
  ${result?.preview ? previewSection(result.preview) : ''}
  ${topicForm(`/admin/topics/${topic.slug}`, result?.form ?? topicFormOf(topic), csrf, false)}
  <p><a class="button" href="/admin/topics/${h(topic.slug)}/delete">Delete…</a></p>`;
  return layout({ title: topic.title, csrf, flashes }, body);
}

export function topicDeletePage(topic: TopicView, csrf: string): string {
  const body = `<h1>Delete the topic ${h(topic.title)}?</h1>
  <p>Its feeds, pages, archives and digests go (they answer 404); the items stay, in their other topics.</p>
  ${topic.origin === 'config' ? `<p class="flash note">${h(CONFIG_NOTES.topicDelete)}.</p>` : ''}
  <div class="actions">
    <form class="inline" method="post" action="/admin/topics/${h(topic.slug)}/delete">${csrfField(csrf)}<button class="danger" type="submit">Delete ${h(topic.title)}</button></form>
    <a class="button" href="/admin/topics/${h(topic.slug)}">Cancel</a>
  </div>`;
  return layout({ title: `Delete ${topic.title}`, csrf }, body);
}
