/**
 * Every public HTML page (the index, digest pages, error pages) goes out through sendPage:
 * one content type and one set of security headers, like the admin page's (admin-layout.ts).
 */
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { STYLE as PAGE_STYLE } from '../render/pages.ts';

/**
 * No script at all, only our own stylesheet (by hash), no forms, never framed. Digest pages
 * hold outlets' headlines and links, escaped: this is the second line of defence.
 */
export const PUBLIC_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`;

/** The topic pages' search form (a GET to this origin) is the one form a public page may submit. */
export const PUBLIC_FORM_CSP = PUBLIC_CSP.replace("form-action 'none'", "form-action 'self'");

export function sendPage(reply: FastifyReply, body: string | Buffer, options: { status?: number; cacheControl: string; forms?: boolean }): FastifyReply {
  return reply
    .code(options.status ?? 200)
    .type('text/html; charset=utf-8')
    .header('cache-control', options.cacheControl)
    .header('content-security-policy', options.forms ? PUBLIC_FORM_CSP : PUBLIC_CSP)
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .send(body);
}
