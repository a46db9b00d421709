/**
 * The frame and small pieces of the admin pages: server-rendered HTML, inline CSS, no
 * script. Every value is escaped here or by the caller with `h`; attributes are always
 * double-quoted, which is what escapeHtml covers.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../text/html-text.ts';
import { relativeTime } from '../render/text-table.ts';

export const h = escapeHtml;

/*
 * Feed URLs, titles and error messages can be one long word: `overflow-wrap: anywhere` lets
 * them break, so no page is wider than a phone. In a table it also lets a column shrink to one
 * character, so there only cells of free text (`td.text`) get it and the short ones keep their
 * width. Under 44rem, tables marked `cards` show each row as a card of labelled cells.
 */
const STYLE = `
  :root { color-scheme: light dark; --muted: #6b6b6b; --line: #8884; --bad: #b3261e; --warn: #8a5a00; --good: #1e7a34; --accent: #2456c7; }
  * { box-sizing: border-box; }
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 72rem; margin: 0 auto; padding: 0 1rem 3rem; overflow-wrap: anywhere; }
  header.top { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .5rem; border-bottom: 1px solid var(--line); padding: .75rem 0; }
  header.top a { font-weight: 600; text-decoration: none; }
  nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .75rem; margin: 0; padding: 0; align-items: center; }
  h1 { font-size: 1.6rem; margin: 1.25rem 0 .5rem; } h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; }
  a { color: var(--accent); }
  .muted, small { color: var(--muted); } .warn { color: var(--warn); }
  .flash { border: 1px solid var(--line); border-left: 4px solid var(--good); padding: .5rem .75rem; margin: 1rem 0; }
  .flash.error { border-left-color: var(--bad); }
  .flash.note { border-left-color: var(--warn); }
  table { border-collapse: collapse; width: 100%; }
  caption { text-align: left; color: var(--muted); padding: .25rem 0; }
  th, td { text-align: left; vertical-align: top; padding: .4rem .5rem; border-bottom: 1px solid var(--line); }
  td.num, th.num { text-align: right; }
  th, td { overflow-wrap: normal; } td.text { overflow-wrap: anywhere; } th, td.num, td time { white-space: nowrap; }
  .state { font-weight: 600; white-space: nowrap; }
  .state-failing, .state-flagged, .state-disabled { color: var(--bad); } .state-flagged { font-weight: bold; } .state-paused, .state-pending, .state-deleting, .state-stale { color: var(--warn); } .state-ok { color: var(--good); }
  .url { word-break: break-all; font-size: .85em; }
  .actions { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
  form.inline { display: inline; margin: 0; }
  button, .button { font: inherit; padding: .35rem .8rem; border: 1px solid var(--line); border-radius: .3rem; background: #8881; color: inherit; cursor: pointer; text-decoration: none; display: inline-block; }
  button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
  button.danger { border-color: var(--bad); color: var(--bad); }
  label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
  fieldset { border: 1px solid var(--line); margin: .75rem 0; } legend { font-weight: 600; }
  fieldset label { display: inline-flex; gap: .35rem; font-weight: normal; margin: 0 1rem .25rem 0; }
  input[type=url], input[type=text], input[type=password], input[type=number], textarea { font: inherit; width: 100%; max-width: 40rem; padding: .4rem; }
  textarea { min-height: 8rem; font-family: ui-monospace, monospace; font-size: .85em; }
  .hint { font-weight: normal; color: var(--muted); font-size: .9em; }
  dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; } dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
  ul.items { padding-left: 1.2rem; } ul.items li { margin: .25rem 0; }
  .card { border: 1px solid var(--line); border-radius: .4rem; padding: .75rem 1rem; margin: 1rem 0; } .card > h2:first-child { margin-top: .25rem; }
  details ul { margin-top: .25rem; }
  @media (max-width: 44rem) {
    table.cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
    table.cards, table.cards caption, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
    table.cards tr { border: 1px solid var(--line); border-radius: .4rem; margin: 0 0 .75rem; padding: .25rem .5rem; }
    table.cards td { border: 0; padding: .2rem 0; text-align: left; overflow-wrap: anywhere; }
    table.cards td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; }
    table.cards td:empty { display: none; }
    table.cards td.num { display: inline-block; width: auto; margin-right: 1rem; }
    dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom: .5rem; }
  }
`;

/** Content-Security-Policy: no script at all, this exact stylesheet, forms only to us, never framed. */
export const ADMIN_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

export interface Flash {
  kind: 'ok' | 'error' | 'note';
  text: string;
}

export interface LayoutOptions {
  title: string;
  /** Present when logged in: shows the navigation and the log-out button. */
  csrf?: string | undefined;
  flashes?: Flash[];
}

export function layout(options: LayoutOptions, body: string): string {
  const nav = options.csrf
    ? `<nav aria-label="Admin"><ul>
        <li><a href="/admin">Sources</a></li>
        <li><a href="/admin/topics">Topics</a></li>
        <li><a href="/admin/opml" download>Export OPML</a></li>
        <li><a href="/">Public page</a></li>
        <li><form class="inline" method="post" action="/admin/logout">${csrfField(options.csrf)}<button type="submit">Log out</button></form></li>
      </ul></nav>`
    : '';
  const flashes = (options.flashes ?? [])
    .map((f) => `<div class="flash ${f.kind === 'ok' ? '' : f.kind}" role="${f.kind === 'error' ? 'alert' : 'status'}">${h(f.text)}</div>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="same-origin">
  <title>${h(options.title)} · Tidings admin</title>
  <style>${STYLE}</style>
</head>
<body>
  <header class="top"><a href="/admin">Tidings admin</a>${nav}</header>
  <main>
  ${flashes}
  ${body}
  </main>
</body>
</html>
`;
}

export function csrfField(token: string): string {
  return `<input type="hidden" name="_csrf" value="${h(token)}">`;
}

/** A time as "3m ago" / "in 2h" (or `text`), with the exact UTC time as its machine-readable value and tooltip. */
export function timeCell(date: Date | null, now: Date, empty = 'never', text?: string): string {
  if (date === null) return `<span class="muted">${h(empty)}</span>`;
  text ??= Math.abs(date.getTime() - now.getTime()) < 1000 ? 'just now' : (relativeTime(date, now) ?? '');
  return `<time datetime="${date.toISOString()}" title="${h(date.toUTCString())}">${h(text)}</time>`;
}

/** A link that is only made for http(s) URLs (feed content is not trusted). */
export function externalLink(url: string | null, text: string): string {
  if (url === null || !/^https?:\/\//i.test(url)) return h(text);
  return `<a href="${h(url)}" rel="noopener noreferrer nofollow">${h(text)}</a>`;
}
