/**
 * Reading the README as the docs tests need it: its fenced shell blocks split into simple
 * commands (a small subset of POSIX shell: quotes, `$(…)`, comments, `&&`, `||`, `;`, `|`,
 * line continuations), its inline code spans and its relative links.
 */
import { readFileSync } from 'node:fs';

export const REPO_ROOT = new URL('../../', import.meta.url);

export function readReadme(): string {
  return readFileSync(new URL('README.md', REPO_ROOT), 'utf8');
}

export interface ShellBlock {
  /** 1-based line of the opening fence. */
  line: number;
  text: string;
}

/** Bodies of the ```sh and ```bash blocks, indented ones (inside list items) included. */
export function shellBlocks(markdown: string): ShellBlock[] {
  return [...markdown.matchAll(/^( *)```(?:sh|bash)\n([\s\S]*?)^\1```/gm)].map((match) => ({
    line: markdown.slice(0, match.index).split('\n').length,
    text: match[2]!.replace(new RegExp(`^${match[1]}`, 'gm'), ''),
  }));
}

/** The command lines of a block: continuations joined, blank lines dropped. */
export function commandLines(block: string): string[] {
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

export interface SimpleCommand {
  /** Names assigned before the program (`VAR=value cmd`) or by `export VAR=value`. */
  assignments: string[];
  /** The program and its arguments, quotes removed (`$(…)` kept as written). */
  words: string[];
  /** The commands inside `$(…)`. */
  substitutions: string[];
}

/** Splits one command line into its simple commands. */
export function simpleCommands(line: string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let words: string[] = [];
  let substitutions: string[] = [];
  let word: string | null = null;
  const endWord = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(toCommand(words, substitutions));
    words = [];
    substitutions = [];
  };
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === "'" || char === '"') {
      const close = line.indexOf(char, i + 1);
      if (close === -1) throw new Error(`unterminated quote in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, close);
      i = close;
    } else if (char === '$' && line[i + 1] === '(') {
      const close = closingParen(line, i + 1);
      substitutions.push(line.slice(i + 2, close));
      word = (word ?? '') + line.slice(i, close + 1);
      i = close;
    } else if (/\s/.test(char)) {
      endWord();
    } else if (char === '#' && word === null) {
      break;
    } else if (char === ';' || char === '|' || char === '&') {
      endCommand();
      if (line[i + 1] === char) i++;
    } else {
      word = (word ?? '') + char;
    }
  }
  endCommand();
  return commands;
}

function closingParen(line: string, open: number): number {
  let depth = 0;
  for (let i = open; i < line.length; i++) {
    if (line[i] === '(') depth++;
    if (line[i] === ')' && --depth === 0) return i;
  }
  throw new Error(`unterminated $( in: ${line}`);
}

function toCommand(words: string[], substitutions: string[]): SimpleCommand {
  const assignments: string[] = [];
  let rest = words;
  if (rest[0] === 'export') {
    for (const word of rest.slice(1)) assignments.push(word.split('=')[0]!);
    return { assignments, words: ['export', ...rest.slice(1)], substitutions };
  }
  while (rest.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(rest[0]!)) {
    assignments.push(rest[0]!.split('=')[0]!);
    rest = rest.slice(1);
  }
  return { assignments, words: rest, substitutions };
}

/** Environment variables a line reads (`$VAR`, `${VAR}`); shell specials ($?, $1…) are not names. */
export function referencedVariables(line: string): string[] {
  return [...line.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)].map((match) => match[1]!);
}

/** Inline code spans outside fenced blocks, whitespace (line wraps) folded to one space. */
export function codeSpans(markdown: string): string[] {
  const prose = markdown.replace(/^( *)```[\s\S]*?^\1```/gm, '');
  return [...prose.matchAll(/`([^`]+)`/g)].map((match) => match[1]!.replace(/\s+/g, ' ').trim());
}

/** Targets of relative Markdown links (no scheme, no bare #anchor), without their #fragment. */
export function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z]+:/.test(target) && !target.startsWith('#'))
    .map((target) => target.replace(/#.*$/, ''));
}
