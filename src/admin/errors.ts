/**
 * Why an admin action was refused. The kind says whose problem it is (the HTTP layer maps
 * it to a status, the CLI to its message); the code is stable and machine-readable.
 */
export type AdminErrorKind =
  | 'invalid' // the request itself is malformed (400)
  | 'not_found' // no such source or topic (404)
  | 'conflict' // the state forbids it: a duplicate URL, a paused source (409)
  | 'unprocessable'; // well-formed, but the URL is no feed, the topic unknown... (422)

export class AdminError extends Error {
  override readonly name = 'AdminError';
  constructor(
    readonly kind: AdminErrorKind,
    readonly code: string,
    message: string,
    /** Extra fields for the answer, e.g. the existing source of a duplicate. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
