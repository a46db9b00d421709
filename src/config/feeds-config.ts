/**
 * The schema of feeds.config.json: topics, sources, polling and retention, with the
 * defaults docs/architecture.md documents. Everything else reads the parsed `FeedsConfig`,
 * never the raw file.
 */
import cron from 'node-cron';
import { z } from 'zod';
import { ruleProblem } from '../text/topic-rules.ts';
import { namesList, nearestName } from './nearest-name.ts';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_SECONDS = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 } as const;

/** "90s", "10m", "24h", "7d", "0", or a number of seconds → seconds. */
export function parseDurationSeconds(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  // Zero needs no unit: "0" reads the same in any of them.
  if (/^0+(?:\.0+)?$/.test(value.trim())) return 0;
  const match = DURATION.exec(value.trim());
  if (!match) return null;
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
}

const DURATION_RULE = 'must be a duration like "90s", "10m", "24h", a number of seconds, or 0';
// Not a union of string and number: a union's error would list the types, not the rule.
const duration = (fallback: string) =>
  z
    .unknown()
    .default(fallback)
    .transform((value, ctx) => {
      const seconds = typeof value === 'string' || typeof value === 'number' ? parseDurationSeconds(value) : null;
      if (seconds === null) {
        ctx.addIssue({ code: 'custom', message: DURATION_RULE });
        return z.NEVER;
      }
      return seconds;
    });

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const httpUrl = z.string().trim().refine(isHttpUrl, { message: 'must be an http(s) URL' });
// A rule: a phrase, or a phrase qualified to one field (`title:missile`, src/text/topic-rules.ts).
const phrase = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .superRefine((rule, ctx) => {
    const problem = ruleProblem(rule);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: `is not a rule: ${problem} (e.g. "seoul" or title:"north korea")` });
  })
  .transform((s) => s.toLowerCase());
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

const digestSchema = z
  .object({
    time: z.string().regex(HH_MM, 'must be a 24-hour time like "07:00"').default('07:00'),
    timezone: z.string().refine(isTimeZone, { message: 'must be an IANA time zone like "Asia/Seoul"' }).default('UTC'),
    maxStories: z.number().int().min(1).max(200).default(20),
    period: z.enum(['daily', 'weekly']).default('daily'),
    weekday: z.enum(WEEKDAYS).default('monday'),
  })
  .strict();

/** A topic, as the file gives it and as the admin API and CLI are held to (src/admin/topics.ts). */
export const topicSchema = z
  .object({
    slug: z.string().regex(SLUG, 'must be lower-case letters, digits and dashes (e.g. "korea")'),
    title: z.string().trim().min(1, 'must not be empty'),
    description: z.string().trim().default(''),
    include: z.array(phrase).default([]),
    exclude: z.array(phrase).default([]),
    // Every topic has a digest; without settings it is daily at 07:00 UTC.
    digest: digestSchema.default(() => digestSchema.parse({})),
  })
  .strict();

/** A portable environment variable name (POSIX: letters, digits, underscores, not starting with a digit). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Control characters, which no header may carry (RFC 9110 §5.5).
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * HTTP Basic credentials of a source (RFC 7617). The password is never in the file: it is
 * read from the environment variable `passwordEnv` names (checked at start by
 * source-passwords.ts, read again at each poll); a `password` field is refused saying so.
 * Config problems never show these values (config-problems.ts), and only the user name and
 * the variable's name reach the database.
 */
const sourceAuthSchema = z
  .object({
    username: z
      .string()
      .min(1, 'must not be empty')
      // RFC 7617 §2: the user-id ends at the first colon.
      .refine((name) => !name.includes(':'), { message: 'must not contain ":" (HTTP Basic puts a colon between user name and password)' })
      .refine((name) => !CONTROL.test(name), { message: 'must not contain control characters' }),
    passwordEnv: z.string().regex(ENV_NAME, 'must be the name of an environment variable, like "FEED_PASSWORD" (letters, digits and underscores)'),
  })
  .strict();

const sourceSchema = z
  .object({
    url: httpUrl,
    title: z.string().trim().min(1).optional(),
    topics: z.array(z.string()).default([]),
    /** When copies of a story tie on publication time, the higher priority is shown. */
    priority: z.number().int().min(-1000).max(1000).default(0),
    /** false: group this source's items with others by canonical URL only, never by text. */
    nearDuplicates: z.boolean().default(true),
    /** The zone its dates without one are in (many Korean outlets omit it); UTC when unset. */
    timezone: z.string().refine(isTimeZone, { message: 'must be an IANA time zone like "Asia/Seoul"' }).optional(),
    /** HTTP Basic auth; the credentials go only to the URL's own origin (src/ingest/fetch/basic-auth.ts). */
    auth: sourceAuthSchema.optional(),
    /** Fetch each new or changed item's page and use its article as the content (src/ingest/full-content.ts). */
    fullContent: z.boolean().default(false),
  })
  .strict();

const fraction = z.number().min(0).max(1);
const bits = z.number().int().min(0).max(64);
/** Near-duplicate grouping (src/dedupe/story-match.ts); every threshold has a safe default. */
const dedupeSchema = z
  .object({
    windowDays: z.number().min(0).max(60).default(7),
    nearIdenticalHammingDistance: bits.optional(),
    maxHammingDistance: bits.optional(),
    minTitleSimilarity: fraction.optional(),
    looseHammingDistance: bits.optional(),
    nearIdenticalTitleSimilarity: fraction.optional(),
    maxLeadHammingDistance: bits.optional(),
    minLeadTitleSimilarity: fraction.optional(),
    minBodyTokens: z.number().int().min(0).optional(),
    minLeadTokens: z.number().int().min(0).optional(),
    shortBodyTitleSimilarity: fraction.optional(),
    minNumberOverlap: fraction.optional(),
  })
  .strict();

const pollingSchema = z
  .object({
    schedule: z
      .string()
      .refine((s) => cron.validate(s), { message: 'must be a valid cron expression like "*/10 * * * *"' })
      .default('*/10 * * * *'),
    concurrency: z.number().int().min(1).max(1024).default(16),
    perHost: z.number().int().min(1).max(64).default(2),
    /** Least time between two request starts to one host, across all instances (Postgres). */
    hostSpacing: duration('1s').refine((seconds) => seconds <= 60, { message: 'must be at most 60 s' }),
    timeoutMs: z.number().int().min(100).max(600_000).default(20_000),
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(10 * 1024 * 1024),
    allowPrivateNetworks: z.boolean().default(false),
    minInterval: duration('10m'),
    maxInterval: duration('24h'),
  })
  .strict()
  .refine((p) => p.minInterval <= p.maxInterval, {
    message: 'must not exceed maxInterval',
    path: ['minInterval'],
  });

/**
 * WebSub (W3C Recommendation, 2018). `hubs`: hubs every topic and digest document names
 * and that are pinged when one changes; `builtin`: Tidings is a hub for its own documents;
 * `subscribe`: sources whose feed names a hub are subscribed for pushes.
 */
const websubSchema = z
  .object({
    hubs: z.array(httpUrl).default([]),
    builtin: z.boolean().default(false),
    subscribe: z.boolean().default(true),
  })
  .strict();

const retentionSchema = z.object({ days: z.number().int().min(1).default(90) }).strict();

export const feedsConfigSchema = z
  .object({
    topics: z.array(topicSchema).default([]),
    sources: z.array(sourceSchema).default([]),
    polling: pollingSchema.default(() => pollingSchema.parse({})),
    retention: retentionSchema.default(() => ({ days: 90 })),
    dedupe: dedupeSchema.default(() => dedupeSchema.parse({})),
    websub: websubSchema.default(() => websubSchema.parse({})),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Messages follow the value, which the error report puts first: `"korea" is already …`.
    const slugs = new Map<string, number>();
    config.topics.forEach((topic, i) => {
      const first = slugs.get(topic.slug);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['topics', i, 'slug'], message: `is already the slug of topics[${first}]` });
      else slugs.set(topic.slug, i);
    });
    const urls = new Map<string, number>();
    config.sources.forEach((source, i) => {
      const first = urls.get(source.url);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['sources', i, 'url'], message: `is already the URL of sources[${first}]` });
      else urls.set(source.url, i);
      source.topics.forEach((slug, j) => {
        if (!slugs.has(slug)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'topics', j], message: unknownTopic(slug, [...slugs.keys()]) });
      });
    });
  });

function unknownTopic(slug: string, slugs: string[]): string {
  const near = nearestName(slug, slugs);
  return near === null
    ? `is not the slug of a topic in topics[] (slugs: ${namesList(slugs)})`
    : `is not the slug of a topic in topics[]; did you mean "${near}"?`;
}

export type FeedsConfig = z.output<typeof feedsConfigSchema>;
export type TopicConfig = FeedsConfig['topics'][number];
export type SourceConfig = FeedsConfig['sources'][number];
export type SourceAuthConfig = NonNullable<SourceConfig['auth']>;
export type PollingConfig = FeedsConfig['polling'];
export type DigestConfig = z.output<typeof digestSchema>;
export type DedupeConfig = FeedsConfig['dedupe'];
export type WebSubConfig = FeedsConfig['websub'];
