/** OPML 2.0 (http://opml.org/spec2.opml) subscription lists. */
import { xmlAttribute, xmlText } from './xml-safe.ts';

export interface OpmlOutline {
  title: string;
  xmlUrl: string;
  htmlUrl?: string | null | undefined;
  /** Comma-separated categories (OPML 2.0 "category" attribute). */
  category?: string | undefined;
  type?: 'rss';
}

const attr = xmlAttribute;

export function renderOpml(title: string, outlines: OpmlOutline[], created: Date): string {
  const lines = outlines.map((o) => {
    const parts = [`type="rss"`, `text="${attr(o.title)}"`, `title="${attr(o.title)}"`, `xmlUrl="${attr(o.xmlUrl)}"`];
    if (o.htmlUrl) parts.push(`htmlUrl="${attr(o.htmlUrl)}"`);
    if (o.category) parts.push(`category="${attr(o.category)}"`);
    return `    <outline ${parts.join(' ')}/>`;
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${xmlText(title)}</title>`,
    `    <dateCreated>${created.toUTCString()}</dateCreated>`,
    '  </head>',
    '  <body>',
    ...lines,
    '  </body>',
    '</opml>',
    '',
  ].join('\n');
}
