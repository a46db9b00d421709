/**
 * zod's issues about feeds.config.json, rewritten for the person editing the file: one line
 * per problem, naming the field by its path (`sources[9].url`, indexes from 0 as in jq), the
 * source or topic it belongs to (by URL or slug, else "the 10th source", counted from 1),
 * the value as written (cut when long), and for an unknown field the one that was meant.
 */
import type { z } from 'zod';
import { namesList, nearestName } from './nearest-name.ts';

type Path = readonly PropertyKey[];

/** `["sources", 3, "url"]` → `sources[3].url`, the way jq and JavaScript point at the field. */
export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** The parts of a zod schema's definition this file walks (zod 4 keeps them on `_zod.def`). */
interface SchemaNode {
  _zod: { def: { type: string; shape?: Record<string, SchemaNode>; element?: SchemaNode; innerType?: SchemaNode; in?: SchemaNode } };
}

/** Past `.default()`, `.optional()` and `.transform()` to the schema that reads the value. */
function unwrap(node: SchemaNode): SchemaNode {
  let current = node;
  for (;;) {
    const def = current._zod.def;
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (inner === undefined) return current;
    current = inner;
  }
}

/** Field names of the object schema at `path`, or null when there is none. */
function fieldsAt(schema: SchemaNode, path: Path): string[] | null {
  let node = unwrap(schema);
  for (const part of path) {
    const def = node._zod.def;
    const next = typeof part === 'number' ? def.element : def.shape?.[String(part)];
    if (next === undefined) return null;
    node = unwrap(next);
  }
  const shape = node._zod.def.shape;
  return shape === undefined ? null : Object.keys(shape);
}

/** Every object of the schema with its fields, named like `polling` or `topics[].digest`. */
function objectsOf(schema: SchemaNode, where = ''): Array<{ where: string; fields: string[] }> {
  const def = unwrap(schema)._zod.def;
  if (def.element !== undefined) return objectsOf(def.element, `${where}[]`);
  if (def.shape === undefined) return [];
  const inner = Object.entries(def.shape).flatMap(([field, node]) => objectsOf(node, where === '' ? field : `${where}.${field}`));
  return [{ where, fields: Object.keys(def.shape) }, ...inner];
}

function valueAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

const VALUE_WIDTH = 60;

/** A value as JSON, cut to a readable width; JSON escapes keep control characters off the terminal. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') {
    const chars = [...value];
    const inner = JSON.stringify(chars.length > VALUE_WIDTH ? chars.slice(0, VALUE_WIDTH - 1).join('') : value).slice(1, -1);
    return chars.length > VALUE_WIDTH ? `"${inner}…"` : `"${inner}"`;
  }
  const text = JSON.stringify(value) ?? String(value);
  return text.length > VALUE_WIDTH ? `${text.slice(0, VALUE_WIDTH - 1)}…` : text;
}

function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

const ENTRIES = { sources: { id: 'url', noun: 'source' }, topics: { id: 'slug', noun: 'topic' } } as const;

/**
 * Which source or topic a problem is in, for a reader who searches the file: its URL or
 * slug, or its position counted from 1 when it has none. Empty when the problem's own
 * value is that URL or slug (it is shown already) or the path is in no entry.
 */
function entryName(root: unknown, path: Path): string {
  const [list, index, field] = path;
  if ((list !== 'sources' && list !== 'topics') || typeof index !== 'number') return '';
  const { id, noun } = ENTRIES[list];
  const value = valueAt(root, [list, index, id]);
  if (typeof value === 'string' && value.trim() !== '') {
    if (field === id && path.length === 3) return '';
    return list === 'sources' ? showValue(value).slice(1, -1) : `topic ${showValue(value)}`;
  }
  return `the ${ordinal(index + 1)} ${noun}`;
}

function unknownField(schema: SchemaNode, path: Path, key: string): string {
  const fields = fieldsAt(schema, path) ?? [];
  if (key === 'password' && fields.includes('passwordEnv')) {
    return 'a password never goes in the file: set it in an environment variable and give that variable\'s name as "passwordEnv"';
  }
  const near = nearestName(key, fields);
  if (near !== null) return `unknown field ${showValue(key)}; did you mean ${showValue(near)}?`;
  // The same field name in another object (a polling setting at the top level, say).
  const here = path
    .map((part) => (typeof part === 'number' ? '[]' : `.${String(part)}`))
    .join('')
    .replace(/^\./, '');
  const homes = objectsOf(schema)
    .filter((object) => object.where !== here && object.fields.includes(key))
    .map((object) => (object.where === '' ? 'the top level' : object.where));
  if (homes.length > 0) return `unknown field ${showValue(key)}; it belongs in ${homes.join(' or ')}`;
  return `unknown field ${showValue(key)}; the fields here are ${namesList(fields)}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list [ … ]',
  object: 'an object { … }',
};

/** What the value must be, phrased to follow the value: `"x" must be …`. */
function rule(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value': {
      const allowed = `must be one of ${issue.values.map((v) => showValue(v)).join(', ')}`;
      const near = typeof value === 'string' ? nearestName(value, issue.values.map(String)) : null;
      return near === null ? allowed : `${allowed}; did you mean ${showValue(near)}?`;
    }
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters long`;
      if (issue.origin === 'array') return `must have at least ${issue.minimum} entries`;
      return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters long`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} entries`;
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum}`;
    case 'invalid_union': {
      const expected = issue.errors.flatMap((branch) => branch.filter((i) => i.code === 'invalid_type').map((i) => TYPE_NAMES[i.expected] ?? i.expected));
      return expected.length > 0 ? `must be ${[...new Set(expected)].join(' or ')}` : issue.message;
    }
    default:
      // custom and invalid_format: the schema's own words, written to follow the value.
      return issue.message;
  }
}

/**
 * Fields whose value a problem never shows: a password written where it does not belong
 * (in `passwordEnv`, as `password`, or as `auth` itself) must not reach a terminal or a log.
 */
const SECRET_FIELDS = new Set<PropertyKey>(['auth', 'password', 'passwordEnv']);

/** One line per problem: `sources[9].url: "htp://bad" must be an http(s) URL`. */
export function describeProblems(issues: readonly z.core.$ZodIssue[], root: unknown, schema: SchemaNode): string[] {
  const line = (path: Path, text: string) => {
    const name = entryName(root, path);
    const where = `${formatPath(path)}${name === '' ? '' : ` (${name})`}`;
    return where === '' ? text : `${where}: ${text}`;
  };
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => line(issue.path, unknownField(schema, issue.path, key)));
    const value = valueAt(root, issue.path);
    if (SECRET_FIELDS.has(issue.path.at(-1) ?? '') && value !== undefined) return [line(issue.path, rule(issue, undefined))];
    if (value === undefined && issue.code === 'invalid_type') return [line(issue.path, 'is required')];
    return [line(issue.path, value === undefined ? rule(issue, value) : `${showValue(value)} ${rule(issue, value)}`)];
  });
}
