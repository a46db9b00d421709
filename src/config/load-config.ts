import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { feedsConfigSchema, type FeedsConfig } from './feeds-config.ts';

/** `["sources", 3, "url"]` → `sources[3].url`, the way a user would point at the field. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type') return `must be ${issue.expected}`;
  return issue.message;
}

/** Validates an already-parsed JSON value; `origin` names the file in error messages. */
export function parseFeedsConfig(value: unknown, origin: string): FeedsConfig {
  const result = feedsConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `${origin}: ${formatPath(issue.path)}: ${describeIssue(issue)}`);
  throw new ConfigError(lines.join('\n'));
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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  return parseFeedsConfig(json, file);
}
