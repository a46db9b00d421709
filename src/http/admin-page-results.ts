/**
 * What an admin page form post leaves for the page it redirects to (post/redirect/get, see
 * src/admin/page-results.ts): messages, the add-source form to fill again, a feed preview or
 * the feeds a web page offers, an OPML import's summary. Stored as JSON, so dates are ISO
 * strings here. Rendered at the top of the page, where it is seen without scrolling; every
 * value is escaped (feed titles and URLs come from whoever wrote the feed or the OPML file).
 */
import type { AddSourceOutcome, FeedChoice, FeedPreview } from '../admin/add-source.ts';
import type { OpmlImportSummary } from '../admin/opml.ts';
import { LIMITS } from '../admin/validate.ts';
import { CONFIG_NOTES, sourceName } from '../admin/wording.ts';
import { csrfField, externalLink, h, type Flash } from './admin-layout.ts';

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
  // Story curation (admin-page-story-routes.ts)
  split: { kind: 'ok', text: 'Split: the copy is a story of its own now, and polls never put it back into this one (see “Kept apart”).' },
  merged: { kind: 'ok', text: 'Merged: the stories are one, under the oldest one’s feed entry; polls keep them together.' },
  hidden: { kind: 'ok', text: 'Hidden: the copy is left out of every topic feed, search and future digest.' },
  unhidden: { kind: 'ok', text: 'Unhidden: the copy is back in the topic feeds.' },
};

/** Shown for a `?result=` this session cannot read: expired, another session's, or made up. */
export const RESULT_GONE: Flash = {
  kind: 'note',
  text: 'The result of that action is no longer available: results are kept for an hour, for the session that made them. Reloading this page repeats nothing.',
};

/** The message `?done=KEY` names; undefined for any other key (own keys only: "?done=constructor" must not find Object's). */
export function doneMessage(key: string | undefined): Flash | undefined {
  return key !== undefined && Object.hasOwn(DONE, key) ? DONE[key] : undefined;
}

export interface AddForm {
  url?: string;
  title?: string;
  topics?: string[];
  fullContent?: boolean;
}

type StoredPreview = Omit<FeedPreview, 'items'> & {
  items: Array<Omit<FeedPreview['items'][number], 'publishedAt'> & { publishedAt: string | null }>;
};

export interface PageResult {
  /** The shape's version: a result written by another version of Tidings is not shown. */
  v: 1;
  flashes: Flash[];
  form?: AddForm;
  preview?: { url: string; feed: StoredPreview };
  choices?: { pageUrl: string; choices: FeedChoice[] };
  opml?: OpmlImportSummary;
}

export type PageResultBody = Omit<PageResult, 'v'>;

/**
 * The add form as kept to fill in again: a form may carry megabytes (the body limit is the
 * OPML import's), but the inputs only ever hold a little over their own limits.
 */
export function formToKeep(form: AddForm): AddForm {
  return {
    url: form.url?.slice(0, 2 * LIMITS.urlLength),
    title: form.title?.slice(0, 2 * LIMITS.titleLength),
    topics: form.topics?.slice(0, LIMITS.topics).map((t) => t.slice(0, 100)),
  };
}

/** A stored result as this version writes it, or undefined. */
export function readPageResult(body: unknown): PageResult | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const result = body as Partial<PageResult>;
  return result.v === 1 && Array.isArray(result.flashes) ? (result as PageResult) : undefined;
}

/** What the add form produced, when it is not a new source: a preview to confirm, or the feeds a page offers. */
export function addOutcomeResult(outcome: Exclude<AddSourceOutcome, { kind: 'added' }>, form: AddForm): PageResultBody {
  if (outcome.kind === 'choices') return { flashes: [], form, choices: { pageUrl: outcome.pageUrl, choices: outcome.choices } };
  const items = outcome.feed.items.map((item) => ({ ...item, publishedAt: item.publishedAt?.toISOString() ?? null }));
  return { flashes: [], form, preview: { url: outcome.url, feed: { ...outcome.feed, items } } };
}

/**
 * The sections a result shows at the top of the sources page (its messages are flashes).
 * `nameOf` names a source by id as it is now (undefined once deleted).
 */
export function resultSections(result: PageResult | undefined, csrf: string, nameOf: (id: number) => string | undefined): string {
  if (result === undefined) return '';
  const form = result.form ?? {};
  return [
    result.opml ? opmlSummary(result.opml, nameOf) : '',
    result.preview ? previewSection(result.preview, csrf, form) : '',
    result.choices ? choicesSection(result.choices, csrf, form) : '',
  ].join('');
}

/** The fields that carry the add form's title and topics along with a chosen URL. */
function keepForm(url: string, csrf: string, form: AddForm): string {
  const topics = (form.topics ?? []).map((t) => `<input type="hidden" name="topics" value="${h(t)}">`).join('');
  return `${csrfField(csrf)}<input type="hidden" name="url" value="${h(url)}"><input type="hidden" name="title" value="${h(form.title ?? '')}">${topics}<input type="hidden" name="action" value="add">`;
}

function previewSection(preview: NonNullable<PageResult['preview']>, csrf: string, form: AddForm): string {
  const { feed } = preview;
  const items = feed.items
    .map(
      (item) =>
        `<li>${externalLink(item.url, item.title || '(untitled)')}${item.publishedAt ? ` <small>${h(new Date(item.publishedAt).toUTCString())}</small>` : ''}${item.topics.length > 0 ? ` <small>→ ${h(item.topics.join(', '))}</small>` : ''}</li>`,
    )
    .join('\n');
  return `<section class="card" aria-labelledby="preview-heading"><h2 id="preview-heading">Preview of ${h(preview.url)}</h2>
    <p><strong>${h(feed.title ?? '(untitled feed)')}</strong> <small>${h(feed.format)}, ${feed.itemCount} item${feed.itemCount === 1 ? '' : 's'}</small></p>
    <ul class="items">${items || '<li class="muted">The feed has no items yet.</li>'}</ul>
    <form method="post" action="/admin/sources">${keepForm(preview.url, csrf, form)}<button class="primary" type="submit">Add this feed</button></form></section>`;
}

function choicesSection(found: NonNullable<PageResult['choices']>, csrf: string, form: AddForm): string {
  const choices = found.choices
    .map(
      (c) =>
        `<li><form method="post" action="/admin/sources" class="actions">${keepForm(c.url, csrf, form)}<span><strong>${h(c.title ?? '(untitled feed)')}</strong> <small>${c.itemCount} items</small><br><span class="url">${h(c.url)}</span></span> <button type="submit" aria-label="Add ${h(c.title ?? c.url)}">Add this feed</button></form></li>`,
    )
    .join('\n');
  return `<section class="card" aria-labelledby="choices-heading"><h2 id="choices-heading">${h(found.pageUrl)} is a web page, not a feed</h2>
    <p>These feeds were found for it; choose one:</p><ul class="items">${choices}</ul></section>`;
}

/** A list longer than this starts folded; past LIST_SHOWN entries, the rest are counted, not listed. */
const LIST_OPEN = 20;
const LIST_SHOWN = 500;

function summaryList<T>(id: string, label: string, entries: readonly T[], entry: (e: T) => string): string {
  if (entries.length === 0) return '';
  const shown = entries.slice(0, LIST_SHOWN).map((e) => `<li>${entry(e)}</li>`);
  if (entries.length > LIST_SHOWN) shown.push(`<li class="muted">…and ${entries.length - LIST_SHOWN} more</li>`);
  return `<details id="${id}"${entries.length <= LIST_OPEN ? ' open' : ''}><summary>${label} (${entries.length})</summary><ul class="items">${shown.join('')}</ul></details>`;
}

function opmlSummary(summary: OpmlImportSummary, nameOf: (id: number) => string | undefined): string {
  const sourceLink = (id: number, name: string) => `<a href="/admin/sources/${id}">${h(nameOf(id) ?? name)}</a>`;
  return `<section class="card" role="status" aria-labelledby="opml-heading"><h2 id="opml-heading">Import result</h2>
    <p>${summary.added.length} added, ${summary.existing.length} already present, ${summary.invalid.length} invalid.${summary.added.length > 0 ? ' New sources are fetched at the next poll.' : ''}</p>
    ${summaryList('opml-added', 'Added', summary.added, (s) => `${sourceLink(s.id, sourceName(s))} <span class="url">${h(s.url)}</span>${s.topics.length > 0 ? ` <small>→ ${h(s.topics.join(', '))}</small>` : ''}`)}
    ${summaryList('opml-existing', 'Already present', summary.existing, (s) => `${sourceLink(s.id, `#${s.id}`)} <span class="url">${h(s.url)}</span>`)}
    ${summaryList('opml-invalid', 'Invalid', summary.invalid, (i) => `${i.url ? `<span class="url">${h(i.url)}</span>` : h(i.title ?? '(outline)')}: ${h(i.reason)}`)}
    ${summary.unmatchedCategories.length > 0 ? `<p class="hint">Categories that match no topic (ignored): ${h(summary.unmatchedCategories.join(', '))}</p>` : ''}
  </section>`;
}
