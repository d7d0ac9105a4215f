/**
 * Typed errors of the dashboard (`serveDashboard`): a refused configuration, and the errors its
 * HTTP endpoints answer with. Each HTTP error class carries the status it is sent with
 * (`STATUS`); the JSON body of an error response is `{ error: code, message }`.
 * @example
 * ```ts
 * if (InsecureDashboardError.is(err)) log(err.code); // ERR_DASHBOARD_INSECURE
 * ```
 * @module
 */
import { coded } from '../../runtime/runtimeErrors.js';

/**
 * The dashboard was asked to listen beyond the loopback interface without a token: its actions
 * (terminate, close, disable) would be open to the network.
 * @example
 * ```ts
 * if (InsecureDashboardError.is(err)) log('give the dashboard a token to listen on', err.message);
 * ```
 */
export class InsecureDashboardError extends coded('ERR_DASHBOARD_INSECURE') {}

/**
 * 400: a request carried a token in its URL (`?token=...`): the token goes in the
 * `Authorization: Bearer` header only, since a URL ends up in logs, histories and Referer headers.
 * The request is refused even when the token is right (change a token that was sent so).
 * @example
 * ```ts
 * const res = await fetch('http://127.0.0.1:9800/api/jobs/j-1/terminate?token=t', { method: 'POST' });
 * if (res.status === DashboardBadRequestError.STATUS) log('send the token in the Authorization header');
 * ```
 */
export class DashboardBadRequestError extends coded('ERR_DASHBOARD_BAD_REQUEST') {
  static readonly STATUS = 400;
}

/**
 * 401: an action came without credentials (`Authorization: Bearer <token>` is missing or malformed).
 * @example
 * ```ts
 * const res = await fetch('http://127.0.0.1:9800/api/coroutines/3/terminate', { method: 'POST' });
 * if (res.status === DashboardUnauthorizedError.STATUS) log('send Authorization: Bearer <token>');
 * ```
 */
export class DashboardUnauthorizedError extends coded('ERR_DASHBOARD_UNAUTHORIZED') {
  static readonly STATUS = 401;
}

/**
 * 403: the token is wrong, the dashboard has no token (actions are disabled), or the request
 * names a host or comes from an origin the dashboard does not serve.
 * @example
 * ```ts
 * const body = (await (await fetch('http://127.0.0.1:9800/api/jobs/j-1/terminate', { method: 'POST', headers: { authorization: 'Bearer wrong' } })).json()) as { error: string };
 * if (body.error === DashboardForbiddenError.CODE) log('check the token');
 * ```
 */
export class DashboardForbiddenError extends coded('ERR_DASHBOARD_FORBIDDEN') {
  static readonly STATUS = 403;
}

/**
 * 404: no such page or endpoint, or the coroutine, job, computation, node or server an action names
 * is not known (any more).
 * @example
 * ```ts
 * const res = await fetch('http://127.0.0.1:9800/api/nope');
 * if (res.status === DashboardNotFoundError.STATUS) log('no such endpoint');
 * ```
 */
export class DashboardNotFoundError extends coded('ERR_DASHBOARD_NOT_FOUND') {
  static readonly STATUS = 404;
}

/**
 * 405: actions take POST only, pages and data GET (or HEAD) only. The response's `Allow` header
 * says which.
 * @example
 * ```ts
 * const res = await fetch('http://127.0.0.1:9800/api/coroutines/3/terminate'); // a GET
 * if (res.status === DashboardMethodError.STATUS) log(res.headers.get('allow')); // POST
 * ```
 */
export class DashboardMethodError extends coded('ERR_DASHBOARD_METHOD') {
  static readonly STATUS = 405;
}

/**
 * 500: the cluster source failed to carry an action out (the message says why; a typed error
 * of the source is the `cause`).
 * @example
 * ```ts
 * if (DashboardActionError.is(err)) log(err.message, err.cause);
 * ```
 */
export class DashboardActionError extends coded('ERR_DASHBOARD_ACTION') {
  static readonly STATUS = 500;
}
