/**
 * How the dashboard answers: the security headers every response carries (a restrictive
 * Content-Security-Policy: the page's own script, style and icon, and connections back to itself;
 * nothing inline, no frames, no forms), JSON and text bodies, and errors as `{ error, message }`
 * with the HTTP status of their class.
 * @example
 * ```ts
 * const headers = { ...SECURITY_HEADERS, 'content-type': 'application/json' };
 * ```
 * @module
 */
import type { ServerResponse } from 'node:http';
import { AsyncoroError } from '../../runtime/runtimeErrors.js';

/**
 * The policy of every response: only the dashboard's own resources, nothing inline, no framing.
 * @example
 * ```ts
 * log(CONTENT_SECURITY_POLICY.includes("script-src 'self'")); // true
 * ```
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Headers sent with every response.
 * @example
 * ```ts
 * log(SECURITY_HEADERS['x-frame-options']); // DENY
 * ```
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

/**
 * Sends `body` with status `status` and the security headers (no body for HEAD).
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer((_req, res) => reply(res, 200, 'text/plain; charset=utf-8', 'ok'));
 * ```
 */
export function reply(res: ServerResponse, status: number, contentType: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  const head = res.req?.method === 'HEAD';
  res.writeHead(status, { ...SECURITY_HEADERS, ...extra, 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) });
  res.end(head ? undefined : body);
}

/**
 * Sends `value` as JSON.
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer((_req, res) => replyJson(res, 200, { ok: true }));
 * ```
 */
export function replyJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  reply(res, status, 'application/json; charset=utf-8', JSON.stringify(value), extra);
}

/** An error class of dashboardErrors.ts: its status rides on the class. */
type WithStatus = { constructor: { STATUS?: number } };

/**
 * The HTTP status of an error: its class's `STATUS`, else 500.
 * @example
 * ```ts
 * statusOf(new Error('boom')); // 500
 * ```
 */
export function statusOf(err: unknown): number {
  const status = (err as WithStatus | null)?.constructor?.STATUS;
  return typeof status === 'number' ? status : 500;
}

/**
 * Sends an error as `{ error: code, message }` with its status; a 405 says `Allow`, a 401
 * `WWW-Authenticate`. Errors that are not the library's say only that something failed.
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer((_req, res) => replyError(res, new Error('boom'))); // 500 { error: 'ERR_INTERNAL', message: 'internal error' }
 * ```
 */
export function replyError(res: ServerResponse, err: unknown, extra: Record<string, string> = {}): void {
  const status = statusOf(err);
  const known = err instanceof AsyncoroError;
  const body = { error: known ? err.code : 'ERR_INTERNAL', message: known ? err.message : 'internal error' };
  const headers = { ...extra, ...(status === 401 ? { 'www-authenticate': 'Bearer realm="asyncoro dashboard"' } : {}) };
  if (res.headersSent) {
    res.destroy();
    return;
  }
  replyJson(res, status, body, headers);
}
