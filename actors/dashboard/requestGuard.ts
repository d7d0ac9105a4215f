/**
 * The checks a request passes before the dashboard answers it: a Host header it serves (against
 * DNS rebinding), no token in its URL, the method the route takes, and for actions an `Origin`
 * of its own (or none) and the token, compared in constant time. Each failure throws the
 * dashboard's typed error.
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * const token = DashboardToken.from('a-long-random-secret-token'); // kept as a digest
 * createServer((req) => {
 *   checkHost(req, { hostNames: new Set(['localhost', '127.0.0.1']) });
 *   checkNoTokenInUrl(new URL(req.url ?? '/', 'http://dashboard'));
 *   checkMethod(req, ['POST']);
 *   checkOrigin(req);
 *   checkToken(req, token);
 * });
 * ```
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { DashboardBadRequestError, DashboardForbiddenError, DashboardMethodError, DashboardUnauthorizedError } from './dashboardErrors.js';
import type { DashboardSettings } from './dashboardOptions.js';
import type { DashboardToken } from './DashboardToken.js';

/** The token `checkToken` compares with (made by `checkDashboardOptions`, or `DashboardToken.from`). */
export { DashboardToken } from './DashboardToken.js';

/** Query parameters that would carry a credential. */
const CREDENTIAL_PARAMETER = /^(access_?)?token$|^auth(orization)?$|^bearer$|^key$|^secret$/i;

/**
 * Throws DashboardBadRequestError when the URL's query carries a credential (`token`,
 * `access_token`, `auth`, ...): a URL ends up in logs, histories and Referer headers.
 * @example
 * ```ts
 * checkNoTokenInUrl(new URL('/api/info?token=t', 'http://dashboard')); // throws (400)
 * ```
 */
export function checkNoTokenInUrl(url: URL): void {
  for (const name of url.searchParams.keys()) {
    if (CREDENTIAL_PARAMETER.test(name)) throw new DashboardBadRequestError('a token goes in the header Authorization: Bearer <token>, never in the URL');
  }
}

/**
 * Throws DashboardForbiddenError unless the Host header names a host this dashboard serves.
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer((req) => checkHost(req, { hostNames: new Set(['localhost']) }));
 * ```
 */
export function checkHost(req: IncomingMessage, settings: Pick<DashboardSettings, 'hostNames'>): void {
  if (settings.hostNames === undefined) return;
  const name = hostName(req.headers.host ?? '');
  if (!settings.hostNames.has(name)) throw new DashboardForbiddenError(`this dashboard does not serve the host ${JSON.stringify(name)}`);
}

/** The host part of a Host header, lower case (`[::1]:80` → `[::1]`, `a:80` → `a`). */
function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/**
 * Throws DashboardMethodError unless the request's method is one of `allowed`.
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer((req) => checkMethod(req, ['GET', 'HEAD']));
 * ```
 */
export function checkMethod(req: IncomingMessage, allowed: readonly string[]): void {
  if (!allowed.includes(req.method ?? '')) throw new DashboardMethodError(`${req.method} is not allowed here; use ${allowed.join(' or ')}`);
}

/**
 * For actions: throws DashboardForbiddenError when a browser sent the request from another page's
 * origin (a cross-site form or script; same-origin or header-less clients pass).
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer((req) => checkOrigin(req));
 * ```
 */
export function checkOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const own = `http://${(req.headers.host ?? '').toLowerCase()}`;
  if (origin.toLowerCase() !== own) throw new DashboardForbiddenError('actions are accepted from the dashboard\'s own page only');
}

/**
 * For actions: throws DashboardUnauthorizedError when `Authorization: Bearer <token>` is missing
 * or malformed, DashboardForbiddenError when the token is wrong or the dashboard has none
 * (then its actions are disabled).
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * const token = DashboardToken.from('a-long-random-secret-token');
 * createServer((req) => checkToken(req, token));
 * ```
 */
export function checkToken(req: IncomingMessage, token: DashboardToken | undefined): void {
  if (token === undefined) throw new DashboardForbiddenError('this dashboard has no token: its actions are disabled');
  const header = req.headers.authorization;
  const m = header === undefined ? null : /^Bearer ([\x21-\x7e]+)$/i.exec(header.trim());
  if (m === null) throw new DashboardUnauthorizedError('actions need the header Authorization: Bearer <token>');
  if (!token.matches(m[1]!)) throw new DashboardForbiddenError('wrong token');
}
