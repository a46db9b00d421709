/**
 * The admin pages about stories: a topic's stories (newest first, a page at a time, with the
 * latest curation), and one story with every item, why it joined, whether it is hidden, and
 * the forms that split an item out, merge stories, hide and unhide items. Server-rendered,
 * plain forms with the CSRF token (admin-page-story-routes.ts handles them); no script.
 */
import type { LoggedCuration, StoryDetail, StorySummary, TopicStories } from '../admin/api.ts';
import { csrfField, externalLink, h, layout, timeCell, type Flash } from './admin-layout.ts';
import type { TopicOption } from './admin-page.ts';

const storyTitle = (s: Pick<StorySummary, 'id' | 'title'>) => s.title || `Story #${s.id}`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Links to each topic's stories (the sources page shows them). */
export function storiesLinks(topics: readonly TopicOption[]): string {
  if (topics.length === 0) return '';
  const links = topics.map((t) => `<a href="/admin/topics/${encodeURIComponent(t.slug)}/stories">${h(t.title)}</a>`).join(' · ');
  return `<p class="actions" id="stories-links">Stories by topic: ${links}</p>`;
}

function curationList(entries: readonly LoggedCuration[], now: Date): string {
  if (entries.length === 0) return '<p class="muted">Nothing curated yet.</p>';
  const rows = entries.map((e) => {
    const stories = e.storyIds.map((id) => `<a href="/admin/stories/${id}">#${id}</a>`).join(', ');
    const items = e.itemIds.length > 0 ? `, item${e.itemIds.length === 1 ? '' : 's'} ${e.itemIds.map((id) => `#${id}`).join(', ')}` : '';
    return `<li>${timeCell(e.at, now)} <strong>${h(e.action)}</strong> by ${h(e.actor)}: stor${e.storyIds.length === 1 ? 'y' : 'ies'} ${stories}${h(items)}</li>`;
  });
  return `<ul class="items" id="curation-log">${rows.join('\n')}</ul>`;
}

export function topicStoriesPage(
  topic: TopicOption,
  list: TopicStories,
  log: readonly LoggedCuration[],
  csrf: string,
  now: Date,
  flashes: Flash[] = [],
): string {
  const rows = list.stories.map(
    (s) => `<tr id="story-${s.id}">
      <td data-label="Story" class="text"><a href="/admin/stories/${s.id}">${h(storyTitle(s))}</a></td>
      <td data-label="Published">${timeCell(s.publishedAt, now)}</td>
      <td data-label="Items" class="num">${s.itemCount}</td>
      <td data-label="Sources" class="num">${s.sourceCount}</td>
      <td data-label="Id" class="num">${s.id}</td>
    </tr>`,
  );
  const table =
    rows.length === 0
      ? '<p>No stories in this topic.</p>'
      : `<table class="stories cards"><caption>Newest first, as in the topic's feed.</caption>
    <thead><tr><th scope="col">Story</th><th scope="col">Published</th><th scope="col" class="num">Items</th><th scope="col" class="num">Sources</th><th scope="col" class="num">Id</th></tr></thead>
    <tbody>${rows.join('\n')}</tbody></table>`;
  const older =
    list.next === null ? '' : `<p><a class="button" href="/admin/topics/${encodeURIComponent(topic.slug)}/stories?before=${list.next}">Older stories</a></p>`;
  const body = `<h1>Stories of ${h(topic.title)}</h1>
  <p class="hint">Open a story to see why each copy joined it, split a copy out, merge it with another story, or hide a copy. A story whose copies are all hidden leaves this list; the log below links to it.</p>
  ${table}
  ${older}
  <h2>Latest curation</h2>
  ${curationList(log, now)}`;
  return layout({ title: `Stories of ${topic.title}`, csrf, flashes }, body);
}

function itemRow(story: StoryDetail, item: StoryDetail['items'][number], csrf: string, now: Date): string {
  const back = `<input type="hidden" name="back" value="/admin/stories/${story.id}">`;
  const name = h(item.title || `item #${item.id}`);
  const reason = item.reason === null ? '<span class="muted">founded the story</span>' : h(item.reason.summary);
  const state = item.hidden
    ? `<span class="state state-paused">hidden</span><br><small>by ${h(item.hiddenBy ?? 'an admin')} ${timeCell(item.hiddenAt, now)}</small>`
    : item.representative
      ? '<span class="state state-ok">shown</span><br><small>represents the story</small>'
      : '<span class="state state-ok">shown</span>';
  const split =
    story.items.length > 1
      ? `<form class="inline" method="post" action="/admin/stories/${story.id}/split">${csrfField(csrf)}<input type="hidden" name="item_id" value="${item.id}"><button type="submit" aria-label="Split ${name} out">Split out</button></form>`
      : '';
  const [action, label] = item.hidden ? ['unhide', 'Unhide'] : ['hide', 'Hide'];
  const toggle = `<form class="inline" method="post" action="/admin/items/${item.id}/${action}">${csrfField(csrf)}${back}<button type="submit" aria-label="${label} ${name}">${label}</button></form>`;
  return `<tr id="item-${item.id}" data-hidden="${item.hidden}">
    <td data-label="Copy" class="text">${externalLink(item.url, item.title || '(untitled)')} <small>#${item.id}</small></td>
    <td data-label="Source" class="text"><a href="/admin/sources/${item.sourceId}">${h(item.sourceTitle)}</a></td>
    <td data-label="Published">${timeCell(item.publishedAt, now)}</td>
    <td data-label="Why it is here" class="text">${reason}</td>
    <td data-label="State">${state}</td>
    <td data-label="Actions"><div class="actions">${split} ${toggle}</div></td>
  </tr>`;
}

function splitsList(story: StoryDetail, now: Date): string {
  if (story.splits.length === 0) return '';
  const rows = story.splits.map((s) => {
    const item = s.itemId === null ? 'an item no longer stored' : `${h(s.itemTitle || 'untitled')} <small>#${s.itemId}</small>`;
    const where =
      s.inStoryId === null ? '' : s.inStoryId === story.id ? ' (in this story)' : ` (now in <a href="/admin/stories/${s.inStoryId}">story #${s.inStoryId}</a>)`;
    const from = s.keptOutOf === story.id ? 'this story' : `<a href="/admin/stories/${s.keptOutOf}">story #${s.keptOutOf}</a>`;
    return `<li>${item}${where} is kept out of ${from} since ${timeCell(s.at, now)}</li>`;
  });
  return `<h2>Kept apart</h2><p class="hint">Split out by an admin: polls never put these copies back. Merging the stories again undoes it.</p><ul class="items" id="splits">${rows.join('\n')}</ul>`;
}

function mergeForm(story: StoryDetail, recent: readonly StorySummary[], csrf: string, now: Date): string {
  const picks = recent
    .filter((s) => s.id !== story.id)
    .map(
      (s) =>
        `<label for="merge-${s.id}"><input type="checkbox" id="merge-${s.id}" name="with" value="${s.id}"> ${h(storyTitle(s))} <small>#${s.id}, ${timeCell(s.publishedAt, now)}</small></label>`,
    )
    .join('\n');
  return `<h2 id="merge">Merge with another story</h2>
  <p class="hint">The stories become one: the oldest keeps its feed entry id, the others' copies move into it. Splitting a copy out undoes it.</p>
  <form method="post" action="/admin/stories/${story.id}/merge">
    ${csrfField(csrf)}
    <label for="merge-with">Story ids <span class="hint">(one or more, separated by spaces or commas)</span></label>
    <input id="merge-with" name="with" type="text" inputmode="numeric" pattern="[0-9 ,]*" autocomplete="off">
    ${picks ? `<fieldset><legend>…or pick recent stories of ${h(story.topics[0] ?? '')}</legend>${picks}</fieldset>` : ''}
    <p><button class="primary" type="submit">Merge</button></p>
  </form>`;
}

export function storyPage(story: StoryDetail, recent: readonly StorySummary[], csrf: string, now: Date, flashes: Flash[] = []): string {
  const stored = story.items.length;
  const hidden = story.items.filter((i) => i.hidden).length;
  const topics = story.topics.length > 0 ? h(story.topics.join(', ')) : '<span class="muted">none: every copy is hidden, or none is in a topic</span>';
  const body = `<h1>${h(storyTitle(story))}</h1>
  <p class="url">${externalLink(story.url, story.url ?? '')}</p>
  <dl class="facts">
    <dt>Story</dt><dd>#${story.id} <small>(feed entry urn:uuid:${h(story.guid)})</small></dd>
    <dt>Topics</dt><dd>${topics}</dd>
    <dt>Published</dt><dd>${timeCell(story.publishedAt, now)}</dd>
    <dt>Updated</dt><dd>${timeCell(story.updatedAt, now)}</dd>
    <dt>Copies</dt><dd>${stored} ${stored === 1 ? 'copy' : 'copies'} stored${hidden > 0 ? `, ${hidden} hidden` : ''}; ${plural(story.sourceCount, 'source')} shown</dd>
  </dl>
  <h2>Copies</h2>
  <table class="story-items cards"><caption>Oldest first. Hidden copies stay here, and nowhere readers look.</caption>
    <thead><tr><th scope="col">Copy</th><th scope="col">Source</th><th scope="col">Published</th><th scope="col">Why it is here</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
    <tbody>${story.items.map((item) => itemRow(story, item, csrf, now)).join('\n')}</tbody>
  </table>
  ${splitsList(story, now)}
  ${mergeForm(story, recent, csrf, now)}`;
  return layout({ title: storyTitle(story), csrf, flashes }, body);
}
