import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DashboardForbiddenError, DashboardUnauthorizedError } from '../../../actors/dashboard/dashboardErrors.js';
import { reply, replyError, replyJson, SECURITY_HEADERS, statusOf } from '../../../actors/dashboard/httpReply.js';

describe('httpReply (a real HTTP server on 127.0.0.1)', () => {
  let server: http.Server;
  let port: number;
  let handle: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  before(async () => {
    server = http.createServer((req, res) => handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const get = async (method = 'GET') => {
    const r = await fetch(`http://127.0.0.1:${port}/`, { method });
    return { status: r.status, headers: r.headers, body: await r.text() };
  };

  it('reply: the status, the body with its length and type, and every security header on every response', async () => {
    handle = (_req, res) => reply(res, 201, 'text/plain; charset=utf-8', 'héllo', { 'x-extra': '1' });
    const r = await get();
    expect([r.status, r.body, r.headers.get('content-length'), r.headers.get('x-extra')]).to.deep.equal([201, 'héllo', '6', '1']);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(r.headers.get(name), name).to.equal(value);
    expect(r.headers.get('content-security-policy')).to.include("default-src 'none'").and.include("frame-ancestors 'none'");
  });

  it('a HEAD request gets the headers and no body', async () => {
    handle = (_req, res) => reply(res, 200, 'text/plain', 'body');
    const r = await get('HEAD');
    expect([r.status, r.body, r.headers.get('content-length')]).to.deep.equal([200, '', '4']);
  });

  it('replyJson: JSON with its type', async () => {
    handle = (_req, res) => replyJson(res, 200, { a: [1, 'two'] });
    const r = await get();
    expect(r.headers.get('content-type')).to.equal('application/json; charset=utf-8');
    expect(JSON.parse(r.body)).to.deep.equal({ a: [1, 'two'] });
  });

  it('replyError: a typed error gives its status, code and message (401 with a Bearer challenge); anything else a bare 500', async () => {
    handle = (_req, res) => replyError(res, new DashboardUnauthorizedError('log in'));
    const unauthorized = await get();
    expect([unauthorized.status, JSON.parse(unauthorized.body)]).to.deep.equal([401, { error: 'ERR_DASHBOARD_UNAUTHORIZED', message: 'log in' }]);
    expect(unauthorized.headers.get('www-authenticate')).to.equal('Bearer realm="asyncoro dashboard"');
    handle = (_req, res) => replyError(res, new DashboardForbiddenError('no'));
    expect((await get()).status).to.equal(403);
    handle = (_req, res) => replyError(res, new Error('secret internals at /home/x'));
    const internal = await get();
    expect([internal.status, JSON.parse(internal.body)]).to.deep.equal([500, { error: 'ERR_INTERNAL', message: 'internal error' }]);
    expect(internal.body).to.not.include('secret internals');
  });

  it('statusOf: the class STATUS, else 500', () => {
    expect(statusOf(new DashboardForbiddenError('x'))).to.equal(403);
    expect(statusOf(new Error('x'))).to.equal(500);
    expect(statusOf(null)).to.equal(500);
    expect(statusOf('text')).to.equal(500);
  });
});
