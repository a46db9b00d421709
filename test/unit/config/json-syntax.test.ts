import { describe, expect, it } from 'vitest';
import { caretExcerpt, findJsonSyntaxError, lineAndColumn } from '../../../src/config/json-syntax.ts';

const DOCUMENT = `{
  "topics": [{ "slug": "k", "title": "K \\"quoted\\" \\u00e9\\n", "include": [] }],
  "sources": [{ "url": "https://a.example/", "priority": -12.5e+2, "nearDuplicates": false, "title": null }],
  "retention": { "days": 0 }
}`;

/** Where the scanner stops in `text`, as `line:column problem`. */
function located(text: string): string {
  const found = findJsonSyntaxError(text);
  if (found === null) return 'valid';
  const { line, column } = lineAndColumn(text, found.offset);
  return `${line}:${column} ${found.problem}`;
}

describe('findJsonSyntaxError', () => {
  it('agrees with JSON.parse on every one-character deletion and duplication of a document', () => {
    const variants = [...DOCUMENT].flatMap((_, i) => [DOCUMENT.slice(0, i) + DOCUMENT.slice(i + 1), DOCUMENT.slice(0, i + 1) + DOCUMENT.slice(i)]);
    for (const text of variants) {
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      expect(findJsonSyntaxError(text) === null, text).toBe(parses);
    }
  });

  it('names the usual slips of a hand-edited file', () => {
    expect(located('{\n  "a": [1, 2,],\n}')).toBe("2:13 a trailing comma before ']' is not allowed in JSON");
    expect(located('{\n  // sources\n  "a": 1\n}')).toBe('2:3 comments are not allowed in JSON');
    expect(located("{ 'a': 1 }")).toBe('1:3 property names need double quotes, not single quotes');
    expect(located('{ a: 1 }')).toBe('1:3 property names need double quotes');
    expect(located('{ "a": "x\n}')).toBe('1:10 the line ends inside a string (a missing closing quote?)');
    expect(located('{ "a": "C:\\Users" }')).toBe('1:11 unknown escape \\U in a string (a backslash itself is written \\\\)');
    expect(located('{ "a": 1 "b": 2 }')).toBe("1:10 expected ',' or '}' here (is a comma missing?)");
    expect(located('{ "a": 1')).toBe("1:9 the file ends where ',' or '}' was expected");
    expect(located('  \n')).toBe('1:1 the file is empty');
  });

  it('counts columns in characters, not UTF-16 units', () => {
    expect(located('{ "북한": 1, }')).toBe("1:10 a trailing comma before '}' is not allowed in JSON");
    expect(located('{ "😀": x }')).toBe('1:8 unexpected word "x": text needs double quotes; true, false and null are the only bare words');
  });
});

describe('caretExcerpt', () => {
  it('puts the caret under the character at fault, keeping tabs so it lines up', () => {
    const text = '{\n\t"a": [1,,2]\n}';
    expect(caretExcerpt(text, text.indexOf(',,') + 1)).toEqual(['  2 | \t"a": [1,,2]', '    | \t        ^']);
  });

  it('shows a window of a long line around the caret', () => {
    const text = `{"a": "${'x'.repeat(300)}", }`;
    const [line, caret] = caretExcerpt(text, text.length - 1);
    expect(line!.length).toBeLessThan(120);
    expect(line).toMatch(/^ {2}1 \| …x+", }$/);
    expect(caret!.indexOf('^')).toBe(line!.length - 1);
  });
});
