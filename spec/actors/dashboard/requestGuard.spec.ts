import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import { DashboardBadRequestError, DashboardForbiddenError, DashboardMethodError, DashboardUnauthorizedError } from '../../../actors/dashboard/dashboardErrors.js';
import { DashboardToken } from '../../../actors/dashboard/DashboardToken.js';
import { checkHost, checkMethod, checkNoTokenInUrl, checkOrigin, checkToken } from '../../../actors/dashboard/requestGuard.js';

/** The parts of a request the guards read. */
const req = (headers: Record<string, string>, method = 'GET'): IncomingMessage => ({ headers, method }) as unknown as IncomingMessage;

describe('requestGuard', () => {
  it('checkHost: any host when no names are set; else only those names, with or without a port, IPv6 in brackets', () => {
    expect(() => checkHost(req({ host: 'evil.example' }), { hostNames: undefined })).to.not.throw();
    const settings = { hostNames: new Set(['localhost', '127.0.0.1', '[::1]']) };
    for (const host of ['localhost:8080', 'LOCALHOST', '127.0.0.1:1', '[::1]:8080', ' localhost ']) expect(() => checkHost(req({ host }), settings), host).to.not.throw();
    for (const host of ['evil.example', 'localhost.evil.example:80', '', '[::2]:80']) expect(() => checkHost(req({ host }), settings), host).to.throw(DashboardForbiddenError);
    expect(() => checkHost(req({}), settings)).to.throw(DashboardForbiddenError);
  });

  it('checkMethod: only the allowed methods; others are DashboardMethodError naming them', () => {
    expect(() => checkMethod(req({}, 'POST'), ['POST'])).to.not.throw();
    expect(() => checkMethod(req({}, 'GET'), ['POST', 'PUT'])).to.throw(DashboardMethodError, /use POST or PUT/);
  });

  it('checkOrigin: no Origin header passes (not a browser form); a browser may only act from the dashboard\'s own page', () => {
    expect(() => checkOrigin(req({ host: '127.0.0.1:8080' }))).to.not.throw();
    expect(() => checkOrigin(req({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' }))).to.not.throw();
    expect(() => checkOrigin(req({ host: 'Dash:1', origin: 'http://dash:1' }))).to.not.throw();
    for (const origin of ['http://evil.example', 'https://127.0.0.1:8080', 'http://127.0.0.1:9090', 'null']) {
      expect(() => checkOrigin(req({ host: '127.0.0.1:8080', origin })), origin).to.throw(DashboardForbiddenError);
    }
  });

  it('checkToken: actions are off without a token; they need "Authorization: Bearer <token>" with the right one', () => {
    expect(() => checkToken(req({ authorization: 'Bearer x' }), undefined)).to.throw(DashboardForbiddenError, /no token/);
    const token = DashboardToken.from('s3cret-token-0123');
    expect(() => checkToken(req({ authorization: 'Bearer s3cret-token-0123' }), token)).to.not.throw();
    expect(() => checkToken(req({ authorization: '  bearer s3cret-token-0123 ' }), token)).to.not.throw();
    for (const authorization of [undefined, '', 's3cret-token-0123', 'Basic s3cret-token-0123', 'Bearer ', 'Bearer two words']) {
      const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
      expect(() => checkToken(req(headers), token), String(authorization)).to.throw(DashboardUnauthorizedError);
    }
    for (const wrong of ['s3cret-token-012', 's3cret-token-01234', 'S3CRET-TOKEN-0123']) {
      expect(() => checkToken(req({ authorization: `Bearer ${wrong}` }), token), wrong).to.throw(DashboardForbiddenError, /wrong token/);
    }
  });

  it('checkNoTokenInUrl: a credential in the query string is DashboardBadRequestError (400); other parameters pass', () => {
    for (const q of ['token=x', 'TOKEN=x', 'access_token=x', 'accessToken=x', 'auth=x', 'authorization=Bearer%20x', 'bearer=x', 'a=1&token=', 'key=x', 'secret=x']) {
      expect(() => checkNoTokenInUrl(new URL(`/api/coroutines/1/terminate?${q}`, 'http://d')), q).to.throw(DashboardBadRequestError, /Authorization: Bearer/);
    }
    for (const q of ['', '?', '?sort=age', '?tokenize=1&monkey=2']) expect(() => checkNoTokenInUrl(new URL(`/api/info${q}`, 'http://d')), q).to.not.throw();
    expect(DashboardBadRequestError.STATUS).to.equal(400);
  });
});
