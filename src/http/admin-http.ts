/** Helpers shared by the admin API and the admin page: error mapping, ids, validated bodies. */
import type { z } from 'zod';
import { AdminError } from '../admin/errors.ts';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../db/unavailable.ts';
import { HttpError } from './errors.ts';

const STATUS_OF_KIND: Record<AdminError['kind'], number> = { invalid: 400, not_found: 404, conflict: 409, unprocessable: 422 };

/** An AdminError as an HTTP error with its status; an unreachable database as 503 (other errors unchanged). */
export function toHttpError(error: unknown): unknown {
  if (error instanceof AdminError) return new HttpError(STATUS_OF_KIND[error.kind], error.code, error.message, error.details);
  if (isDatabaseUnavailable(error)) return new HttpError(503, 'database_unavailable', DATABASE_UNAVAILABLE_MESSAGE);
  return error;
}

export function parseId(raw: string, what = 'a source id'): number {
  if (!/^[1-9]\d{0,14}$/.test(raw)) throw new HttpError(400, 'invalid_id', `${what} is a positive whole number, not "${raw.slice(0, 50)}"`);
  return Number(raw);
}

/** The parsed body, or 400 naming every problem. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  throw new HttpError(400, 'invalid_request', problems.join('; '));
}
