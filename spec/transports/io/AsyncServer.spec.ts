import net from 'node:net';
import { expect } from 'chai';
import { CoroTerminatedError, InvalidArgumentError, TimeoutError } from '../../../runtime/runtimeErrors.js';
import { AsyncServer } from '../../../transports/io/AsyncServer.js';
import { AsyncSocket } from '../../../transports/io/AsyncSocket.js';
import { ConnectError, ListenError, SocketClosedError } from '../../../transports/io/ioErrors.js';
import { expectError, until } from '../../helpers.js';
import { schedulerFixture } from '../../fixtures/index.js';

describe('AsyncServer: listen and accept', () => {
  const fx = schedulerFixture();

  async function listen(options = {}) {
    const server = await AsyncServer.listen({ scheduler: fx.sched, ...options });
    fx.cleanup.push(() => server.close());
    return server;
  }

  it('accept returns connections queued before it was called, and serves accepting coroutines FIFO', async () => {
    const server = await listen();
    const arrived = (): Promise<unknown> => new Promise((resolve) => server.raw.once('connection', resolve));
    const earlyArrived = arrived();
    const early = await AsyncSocket.connect({ port: server.port, scheduler: fx.sched, timeout: 2000 });
    fx.cleanup.push(() => early.close());
    await earlyArrived; // the server's own listener ran first: the connection is queued
    const first = await server.accept({ timeout: 0 });
    fx.cleanup.push(() => first.close());
    expect(first.remotePort).to.equal(early.localPort);
    let accepting = 0;
    const acceptor = () => fx.sched.spawn(async (coro) => {
      accepting++;
      return (await server.accept({ coro, timeout: 2000 })).remotePort;
    });
    const a = acceptor();
    const b = acceptor();
    await until(() => accepting === 2);
    const c1Arrived = arrived();
    const c1 = await AsyncSocket.connect({ port: server.port, scheduler: fx.sched });
    await c1Arrived;
    const c2 = await AsyncSocket.connect({ port: server.port, scheduler: fx.sched });
    fx.cleanup.push(() => (c1.close(), c2.close()));
    expect(await a.value()).to.equal(c1.localPort);
    expect(await b.value()).to.equal(c2.localPort);
  });

  it('accept times out with TimeoutError and is cancelled by terminate() or a signal', async () => {
    const server = await listen();
    await expectError(() => server.accept({ timeout: 20 }), TimeoutError);
    let accepting = false;
    const acceptor = fx.sched.spawn(async (coro) => {
      accepting = true;
      return server.accept({ coro });
    });
    await until(() => accepting);
    acceptor.terminate();
    await expectError(() => acceptor.value(), CoroTerminatedError);
    const ac = new AbortController();
    const pending = server.accept({ signal: ac.signal });
    ac.abort(new Error('stop'));
    await pending.then(() => expect.fail('should reject'), (e) => expect(e.message).to.equal('stop'));
    // the cancelled acceptors left no trace: the next connection goes to the next accept
    const client = await AsyncSocket.connect({ port: server.port, scheduler: fx.sched });
    fx.cleanup.push(() => client.close());
    const conn = await server.accept({ timeout: 2000 });
    fx.cleanup.push(() => conn.close());
    expect(conn.remotePort).to.equal(client.localPort);
  });

  it('close() fails pending accepts with SocketClosedError and refuses new connections', async () => {
    const server = await listen();
    const pending = server.accept();
    server.close();
    await expectError(() => pending, SocketClosedError);
    await expectError(() => server.accept(), SocketClosedError);
    await expectError(() => AsyncSocket.connect({ port: server.port, scheduler: fx.sched, timeout: 2000 }), ConnectError);
  });

  it('connect to a closed port throws ConnectError with errno ECONNREFUSED', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const err = await expectError(() => AsyncSocket.connect({ port, scheduler: fx.sched, timeout: 2000 }), ConnectError);
    expect(err.errno).to.equal('ECONNREFUSED');
  });

  it('listen on a busy port throws ListenError', async () => {
    const server = await listen();
    const err = await expectError(() => AsyncServer.listen({ port: server.port, scheduler: fx.sched }), ListenError);
    expect(err.errno).to.equal('EADDRINUSE');
  });

  it('rejects bad arguments with InvalidArgumentError', async () => {
    const server = await listen();
    await expectError(() => AsyncServer.listen({ port: -5 }), InvalidArgumentError);
    await expectError(() => AsyncServer.listen({ maxPending: 0 }), InvalidArgumentError);
    await expectError(() => server.accept({ timeout: Number.NaN }), InvalidArgumentError);
  });

  it('serves 1,000 concurrent connections, each correctly', async function () {
    this.timeout(60000);
    const count = 1000;
    const server = await listen({ backlog: 2048 });
    const handler = async (coro: any, conn: AsyncSocket) => {
      for (let i = 0; i < 3; i++) {
        const msg = await conn.recvMsg({ coro, timeout: 20000 });
        if (msg === undefined) break;
        await conn.sendMsg(Buffer.from(`${String(msg)}#${i}`), { coro });
      }
      conn.close();
    };
    fx.sched.spawnWith({ daemon: true }, async (coro) => {
      for (;;) fx.sched.spawn(handler, await server.accept({ coro }));
    });
    const clients = await Promise.all(
      Array.from({ length: count }, () => AsyncSocket.connect({ port: server.port, scheduler: fx.sched, timeout: 20000 })),
    );
    fx.cleanup.push(() => clients.forEach((c) => c.close()));
    const results = await Promise.all(
      clients.map(async (client, k) => {
        const replies: string[] = [];
        for (let i = 0; i < 3; i++) {
          await client.sendMsg(Buffer.from(`client ${k}`));
          replies.push(String(await client.recvMsg({ timeout: 20000 })));
        }
        const end = await client.recvMsg({ timeout: 20000 });
        return replies.join(',') + (end === undefined ? '|eof' : '|more');
      }),
    );
    results.forEach((r, k) => expect(r).to.equal(`client ${k}#0,client ${k}#1,client ${k}#2|eof`));
  });
});
