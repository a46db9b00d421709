import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';
import { describeProblems } from './config-problems.ts';
import { feedsConfigSchema, type FeedsConfig } from './feeds-config.ts';
import { caretExcerpt, findJsonSyntaxError, lineAndColumn } from './json-syntax.ts';

/** The last line of a rejected config: what to do next, in the parenthesised style of the other config errors. */
function fixHint(count: number): string {
  return `(${count === 1 ? '1 problem' : `${count} problems`}: fix the file and run again; README § Configuration describes every field)`;
}

/**
 * Validates an already-parsed JSON value; `origin` names the file in error messages. Every
 * problem is reported at once, one per line, each starting with `origin` so that a log
 * collector that splits lines keeps the file name on each.
 */
export function parseFeedsConfig(value: unknown, origin: string): FeedsConfig {
  const result = feedsConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = describeProblems(result.error.issues, value, feedsConfigSchema);
  throw new ConfigError([...problems.map((problem) => `${origin}: ${problem}`), fixHint(problems.length)].join('\n'));
}

/** `file:line:column: not valid JSON: why`, then the line with a caret under the fault. */
function syntaxErrorMessage(file: string, text: string, parseError: Error): string {
  let found: ReturnType<typeof findJsonSyntaxError> = null;
  try {
    found = findJsonSyntaxError(text);
  } catch {
    // Nesting deep enough to exhaust the stack: JSON.parse's own words will do.
  }
  if (found === null) return `${file}: not valid JSON: ${parseError.message}`;
  const { line, column } = lineAndColumn(text, found.offset);
  return [`${file}:${line}:${column}: not valid JSON: ${found.problem}`, ...caretExcerpt(text, found.offset)].join('\n');
}

/** Reads and validates feeds.config.json; every problem names the file, the field path and the rule. */
export function loadFeedsConfig(file: string): FeedsConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError(`${file}: ${reason} (set FEEDS_CONFIG to the path of your feeds.config.json)`);
  }
  // Some editors start a UTF-8 file with a byte-order mark, which JSON.parse refuses.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(syntaxErrorMessage(file, text, error as Error));
  }
  return parseFeedsConfig(json, file);
}
