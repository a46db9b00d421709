/**
 * HTTP Basic credentials of a source (RFC 7617): the Authorization header for one hop of a
 * request chain, and what a 401 or 403 means given what that hop sent.
 *
 * Credentials belong to one origin (scheme, host and port: RFC 6454 §4), the origin of the
 * URL they were configured for. A hop to any other origin gets none, so a redirect cannot
 * carry them to another host, to plain http from https, or to another port of the same host.
 */
import type { ResponseHeaders } from './cache-headers.ts';
import { firstHeader } from './response-headers.ts';
import type { BasicCredentials } from './types.ts';

/** Whether a hop carried the source's credentials: it had none, sent them, or kept them back (another origin). */
export type CredentialUse = 'none' | 'sent' | 'withheld';

export function credentialUse(credentials: BasicCredentials | undefined, url: URL): CredentialUse {
  if (credentials === undefined) return 'none';
  return originOf(credentials.origin) === url.origin ? 'sent' : 'withheld';
}

/** The header value; the caller sends it only when credentialUse says 'sent'. */
export function authorizationHeader(credentials: BasicCredentials): string {
  // RFC 7617 §2.1: the user-pass is encoded as UTF-8 (the charset="UTF-8" servers announce).
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/** "https://a.example:443" and "https://a.example" are one origin: compare the URL parser's form. */
function originOf(text: string): string | null {
  try {
    return new URL(text).origin;
  } catch {
    return null;
  }
}

/**
 * What a 401 or 403 tells the admin, given what the hop sent. Never names the password or the
 * header: a message is stored on the source row, shown in the admin views and logged.
 */
export function refusalHint(status: 401 | 403, use: CredentialUse, credentials: BasicCredentials | undefined, headers: ResponseHeaders): string {
  if (use === 'withheld') {
    const origin = originOf(credentials!.origin) ?? credentials!.origin;
    return `the feed asks for credentials; this source's are sent only to ${origin}, and the request was redirected to another origin`;
  }
  if (status === 403) {
    return use === 'sent'
      ? 'the server refuses access with these credentials (another account needed, or an IP block?)'
      : 'the server refuses access (login or IP block?)';
  }
  const hint =
    use === 'sent' ? 'the credentials were refused (check auth.username and the password in its passwordEnv variable)' : 'the feed asks for credentials';
  return `${hint}${otherSchemeNote(headers)}`;
}

/** RFC 9110 §11.6.1: the challenge names the scheme the server wants; only Basic is sent. */
function otherSchemeNote(headers: ResponseHeaders): string {
  const challenge = firstHeader(headers, 'www-authenticate');
  const scheme = challenge?.trim().split(/[\s,]/, 1)[0];
  if (!scheme || scheme.toLowerCase() === 'basic') return '';
  return `; it asks for ${scheme} authentication, and Tidings sends only Basic`;
}
