/** HttpServer: a real node:http server on loopback whose requests and closed streams reach its owner's mailbox. */
import { expect } from 'chai';
import http from 'node:http';
import type { Coro } from '../../../runtime/Coro.js';
import { InvalidArgumentError, TimeoutError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { HttpClosed, HttpExchange, HttpServer } from '../../../transports/io/HttpServer.js';
import { ListenError } from '../../../transports/io/ioErrors.js';
import { expectError, until } from '../../helpers.js';

/** A GET answered in full: status and body. */
function get(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

describe('HttpServer', function () {
  this.timeout(10_000);
  let sched: Scheduler;
  const servers: HttpServer[] = [];
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close({ timeout: 2000 });
    await sched.terminate();
  });

  /** A coroutine that answers each request with its path and keeps what else it receives. */
  const echo = (): { coro: Coro<unknown, void>; kept: unknown[] } => {
    const kept: unknown[] = [];
    const coro = sched.spawnWith({ name: 'http-owner' }, async (c: Coro<unknown, void>) => {
      for (;;) {
        const m = await c.receive();
        if (m instanceof HttpExchange && m.req.url !== '/stream') m.res.end(`${m.req.method} ${m.req.url}`);
        else kept.push(m);
      }
    });
    return { coro, kept };
  };

  it('hands each request to its owner, which answers it', async () => {
    const { coro } = echo();
    const server = await HttpServer.listen({ owner: coro, scheduler: sched });
    servers.push(server);
    expect(server.port).to.be.greaterThan(0);
    const answers = await Promise.all([get(server.port, '/a'), get(server.port, '/b')]);
    expect(answers).to.deep.equal([{ status: 200, body: 'GET /a' }, { status: 200, body: 'GET /b' }]);
  });

  it('tells its owner when a response\'s connection closes before the response ended, not after a normal end', async () => {
    const { coro, kept } = echo();
    const server = await HttpServer.listen({ owner: coro, scheduler: sched });
    servers.push(server);
    await get(server.port, '/done');
    const req = http.get({ host: '127.0.0.1', port: server.port, path: '/stream', agent: false });
    req.on('error', () => undefined);
    await until(() => kept.some((m) => m instanceof HttpExchange), 5000, 'the stream request');
    const stream = (kept.find((m) => m instanceof HttpExchange) as HttpExchange).res;
    stream.writeHead(200, { 'content-type': 'text/event-stream' });
    stream.write('data: 1\n\n');
    req.destroy();
    await until(() => kept.some((m) => m instanceof HttpClosed), 5000, 'the closed notice');
    const closed = kept.filter((m) => m instanceof HttpClosed) as HttpClosed[];
    expect(closed).to.have.length(1);
    expect(closed[0]!.res).to.equal(stream);
    expect(closed[0]!.server).to.equal(server);
  });

  it('answers 503 when its owner is gone', async () => {
    const owner = sched.spawnWith({ name: 'gone' }, async () => undefined);
    await owner.finish();
    const server = await HttpServer.listen({ owner, scheduler: sched });
    servers.push(server);
    expect((await get(server.port)).status).to.equal(503);
  });

  it('close() ends open streams and stops listening; a second close waits for the same; true once closed', async () => {
    const { coro, kept } = echo();
    const server = await HttpServer.listen({ owner: coro, scheduler: sched });
    const ended: Promise<void> = new Promise((resolve) => {
      http.get({ host: '127.0.0.1', port: server.port, path: '/stream', agent: false }, (res) => res.on('close', resolve).resume()).on('error', () => resolve());
    });
    await until(() => kept.some((m) => m instanceof HttpExchange), 5000, 'the stream request');
    (kept[0] as HttpExchange).res.writeHead(200).write('open');
    const [a, b] = await Promise.all([server.close({ timeout: 5000 }), server.close()]);
    expect([a, b]).to.deep.equal([true, true]);
    await ended;
    expect(server.isClosing).to.equal(true);
    expect(await server.close()).to.equal(true);
    const refused = await get(server.port).catch((e: NodeJS.ErrnoException) => e.code);
    expect(refused).to.equal('ECONNREFUSED');
  });

  it('close() with timeout 0 gives false while it closes, and rejects with the signal\'s reason when aborted', async () => {
    const { coro } = echo();
    const server = await HttpServer.listen({ owner: coro, scheduler: sched });
    servers.push(server);
    // timeout 0 polls: the close has only begun.
    expect(await server.close({ timeout: 0 })).to.equal(false);
    const abort = new AbortController();
    abort.abort(new Error('no more'));
    const err = await server.close({ signal: abort.signal }).catch((e: Error) => e);
    expect((err as Error).message).to.equal('no more');
    expect(await server.close({ timeout: 5000 })).to.equal(true);
  });

  it('listen: ListenError for an address in use, TimeoutError or the signal\'s reason before it listens, InvalidArgumentError for bad options', async () => {
    const { coro } = echo();
    const first = await HttpServer.listen({ owner: coro, scheduler: sched });
    servers.push(first);
    const inUse = await expectError(() => HttpServer.listen({ owner: coro, scheduler: sched, port: first.port }), ListenError);
    expect(inUse.message).to.include(`127.0.0.1:${first.port}`);
    await expectError(() => HttpServer.listen({ owner: coro, scheduler: sched, timeout: 0 }), TimeoutError);
    const abort = new AbortController();
    abort.abort(new Error('stop'));
    expect(((await HttpServer.listen({ owner: coro, scheduler: sched, signal: abort.signal }).catch((e: Error) => e)) as Error).message).to.equal('stop');
    for (const bad of [undefined, { owner: {} }, { owner: coro, port: -1 }, { owner: coro, port: 70_000 }, { owner: coro, host: '' }, { owner: coro, timeout: -1 }, { owner: coro, scheduler: {} }]) {
      await expectError(() => HttpServer.listen(bad as never), InvalidArgumentError);
    }
    await expectError(() => first.close({ timeout: -5 }), InvalidArgumentError);
  });
});
