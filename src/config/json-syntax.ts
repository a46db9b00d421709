/**
 * Where a hand-edited JSON file stops being JSON, and why, in words an operator can act on.
 * Node 20's JSON.parse gives a position for some errors only ("Unexpected token '}', … is
 * not valid JSON" has none) and never a line, so a failed parse is scanned again here: a
 * strict JSON recogniser that stops at the first error with its offset and a reason,
 * naming the usual slips (comments, trailing commas, single quotes, a missing comma).
 */

export interface JsonSyntaxError {
  /** Offset in the text (UTF-16 code units) of the character at fault. */
  offset: number;
  problem: string;
}

function isControl(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return (code < 0x20 && ch !== '\t') || (code >= 0x7f && code <= 0x9f);
}

class Stop {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {}
}

const LITERALS = ['true', 'false', 'null'];
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_$][\w$]*/y;

function describe(ch: string): string {
  return ch === "'" ? 'a single quote' : JSON.stringify(ch);
}

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  fail(offset: number, problem: string): never {
    throw new Stop(offset, problem);
  }

  /** Skips whitespace; a comment is an error, but a common one: say so. */
  space(): void {
    while (' \t\n\r'.includes(this.text[this.pos] ?? 'x')) this.pos++;
    if (this.text[this.pos] === '/' && '/*'.includes(this.text[this.pos + 1] ?? 'x')) this.fail(this.pos, 'comments are not allowed in JSON');
  }

  endOfFile(expected: string): never {
    return this.fail(this.text.trimEnd().length, `the file ends where ${expected} was expected`);
  }

  value(): void {
    this.space();
    const ch = this.text[this.pos];
    if (ch === undefined) {
      if (this.text.trim() === '') this.fail(0, 'the file is empty');
      this.endOfFile('a value');
    }
    if (ch === '{') this.object();
    else if (ch === '[') this.array();
    else if (ch === '"') this.string();
    else if (ch === '-' || (ch >= '0' && ch <= '9')) this.number();
    else this.bareWord();
  }

  /** true, false or null; anything else bare is a mistake worth naming. */
  bareWord(): void {
    const ch = this.text[this.pos]!;
    const literal = LITERALS.find((word) => this.text.startsWith(word, this.pos));
    if (literal !== undefined) {
      this.pos += literal.length;
      return;
    }
    if (ch === "'") this.fail(this.pos, 'strings need double quotes, not single quotes');
    WORD.lastIndex = this.pos;
    const word = WORD.exec(this.text)?.[0];
    if (word !== undefined)
      this.fail(this.pos, `unexpected word ${JSON.stringify(word)}: text needs double quotes; true, false and null are the only bare words`);
    this.fail(this.pos, `expected a value, found ${describe(ch)}`);
  }

  object(): void {
    this.pos++;
    this.space();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.space();
      const ch = this.text[this.pos];
      if (ch === undefined) this.endOfFile('a property name');
      if (ch !== '"') {
        if (ch === "'") this.fail(this.pos, 'property names need double quotes, not single quotes');
        WORD.lastIndex = this.pos;
        if (WORD.test(this.text)) this.fail(this.pos, 'property names need double quotes');
        this.fail(this.pos, `expected a property name in double quotes, found ${describe(ch)}`);
      }
      this.string();
      this.space();
      if (this.text[this.pos] === undefined) this.endOfFile("':'");
      if (this.text[this.pos] !== ':') this.fail(this.pos, "expected ':' after the property name");
      this.pos++;
      this.value();
      if (!this.separator('}')) return;
    }
  }

  array(): void {
    this.pos++;
    this.space();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      this.value();
      if (!this.separator(']')) return;
    }
  }

  /** After a member: true when a comma follows (and another member), false at the closing bracket. */
  separator(close: '}' | ']'): boolean {
    this.space();
    const ch = this.text[this.pos];
    if (ch === close) {
      this.pos++;
      return false;
    }
    if (ch === undefined) this.endOfFile(`',' or '${close}'`);
    if (ch !== ',') this.fail(this.pos, `expected ',' or '${close}' here (is a comma missing?)`);
    const comma = this.pos++;
    this.space();
    if (this.text[this.pos] === close) this.fail(comma, `a trailing comma before '${close}' is not allowed in JSON`);
    return true;
  }

  string(): void {
    const start = this.pos++;
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined) this.fail(start, 'this string is never closed');
      if (ch === '"') {
        this.pos++;
        return;
      }
      if (ch === '\n' || ch === '\r') this.fail(this.pos, 'the line ends inside a string (a missing closing quote?)');
      if (ch < ' ') this.fail(this.pos, 'a control character inside a string (write it as an escape like \\t)');
      if (ch === '\\') {
        const next = this.text[this.pos + 1] ?? '';
        if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) this.pos += 6;
        else if (next !== '' && '"\\/bfnrt'.includes(next)) this.pos += 2;
        else if (next === 'u') this.fail(this.pos, '\\u must be followed by four hex digits');
        else this.fail(this.pos, `unknown escape \\${isControl(next) ? '' : next} in a string (a backslash itself is written \\\\)`);
      } else this.pos++;
    }
  }

  number(): void {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    const after = this.pos + (match?.[0].length ?? 0);
    if (match === null || /[\w.+-]/.test(this.text[after] ?? '')) this.fail(this.pos, 'not a valid JSON number');
    this.pos = after;
  }
}

/** The first syntax error in `text`, or null when it is JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const scanner = new Scanner(text);
  try {
    scanner.value();
    scanner.space();
    if (scanner.pos < text.length) scanner.fail(scanner.pos, 'unexpected text after the end of the JSON document');
    return null;
  } catch (error) {
    if (error instanceof Stop) return { offset: error.offset, problem: error.problem };
    throw error; // a RangeError from absurd nesting: the caller falls back to JSON.parse's message
  }
}

/** 1-based line and column of `offset`; columns count characters, as editors do. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: [...before.slice(lineStart)].length + 1 };
}

const EXCERPT_WIDTH = 100;

/**
 * The line holding `offset` and a caret under the character at fault, both indented and
 * gutter-numbered like a compiler's; a long line is cut to a window around the caret.
 */
export function caretExcerpt(text: string, offset: number): string[] {
  const { line, column } = lineAndColumn(text, offset);
  let chars = [...(text.split('\n')[line - 1] ?? '').replace(/\r$/, '')];
  let caretAt = column - 1;
  if (chars.length > EXCERPT_WIDTH) {
    const start = Math.max(0, Math.min(caretAt - EXCERPT_WIDTH / 2, chars.length - EXCERPT_WIDTH));
    const cut = chars.slice(start, start + EXCERPT_WIDTH);
    chars = [...(start > 0 ? ['…'] : []), ...cut, ...(start + EXCERPT_WIDTH < chars.length ? ['…'] : [])];
    caretAt = caretAt - start + (start > 0 ? 1 : 0);
  }
  // Control characters would garble the terminal; tabs stay tabs so the caret lines up.
  const shown = chars.map((ch) => (isControl(ch) ? '?' : ch));
  const gutter = String(line);
  const pad = shown
    .slice(0, caretAt)
    .map((ch) => (ch === '\t' ? '\t' : ' '))
    .join('');
  return [`  ${gutter} | ${shown.join('')}`, `  ${' '.repeat(gutter.length)} | ${pad}^`];
}
