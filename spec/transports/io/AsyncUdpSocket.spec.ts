import { expect } from 'chai';
import { CoroTerminatedError, InvalidArgumentError, TimeoutError } from '../../../runtime/runtimeErrors.js';
import { AsyncUdpSocket } from '../../../transports/io/AsyncUdpSocket.js';
import { ListenError, SocketClosedError } from '../../../transports/io/ioErrors.js';
import { expectError, until } from '../../helpers.js';
import { schedulerFixture } from '../../fixtures/index.js';

describe('AsyncUdpSocket', () => {
  const fx = schedulerFixture();

  async function bind(options = {}) {
    const sock = await AsyncUdpSocket.bind({ scheduler: fx.sched, ...options });
    fx.cleanup.push(() => sock.close());
    return sock;
  }

  it('sendTo/recvFrom exchange datagrams with the sender address; n truncates', async () => {
    const server = await bind();
    const client = await bind();
    expect(await client.sendTo(Buffer.from('hello udp'), server.port, '127.0.0.1')).to.equal(9);
    const got = await server.recvFrom(undefined, { timeout: 2000 });
    expect(String(got.data)).to.equal('hello udp');
    expect(got.address).to.equal('127.0.0.1');
    expect(got.port).to.equal(client.port);
    await client.sendTo(Buffer.from('truncate me'), server.port, '127.0.0.1');
    expect(String((await server.recvFrom(8, { timeout: 2000 })).data)).to.equal('truncate');
  });

  it('recvFrom times out with TimeoutError and is cancelled by terminate(); the datagram goes to the next reader', async () => {
    const server = await bind();
    const client = await bind();
    await expectError(() => server.recvFrom(100, { timeout: 20 }), TimeoutError);
    let reading = false;
    const reader = fx.sched.spawn(async (coro) => {
      reading = true;
      return server.recvFrom(100, { coro });
    });
    await until(() => reading);
    reader.terminate();
    await expectError(() => reader.value(), CoroTerminatedError);
    await client.sendTo(Buffer.from('after'), server.port, '127.0.0.1');
    expect(String((await server.recvFrom(100, { timeout: 2000 })).data)).to.equal('after');
  });

  it('keeps at most maxQueued datagrams while nobody reads', async () => {
    const server = await bind({ maxQueued: 5 });
    const client = await bind();
    for (let i = 0; i < 20; i++) await client.sendTo(Buffer.from(String(i)), server.port, '127.0.0.1');
    await until(() => server.droppedDatagrams === 15);
    for (let i = 0; i < 5; i++) expect(String((await server.recvFrom(10, { timeout: 0 })).data)).to.equal(String(i));
    await expectError(() => server.recvFrom(10, { timeout: 0 }), TimeoutError);
  });

  it('close() fails pending and later operations with SocketClosedError', async () => {
    const server = await bind();
    const pending = server.recvFrom();
    server.close();
    await expectError(() => pending, SocketClosedError);
    await expectError(() => server.sendTo(Buffer.from('x'), 9, '127.0.0.1'), SocketClosedError);
  });

  it('binding a busy port throws ListenError; bad arguments throw InvalidArgumentError', async () => {
    const server = await bind();
    await expectError(() => AsyncUdpSocket.bind({ port: server.port }), ListenError);
    await expectError(() => server.sendTo('x' as unknown as Buffer, 9, '127.0.0.1'), InvalidArgumentError);
    await expectError(() => server.sendTo(Buffer.from('x'), 0, '127.0.0.1'), InvalidArgumentError);
    await expectError(() => server.sendTo(Buffer.from('x'), 9, ''), InvalidArgumentError);
    await expectError(() => server.recvFrom(-1), InvalidArgumentError);
    await expectError(() => server.recvFrom(1, { timeout: -1 }), InvalidArgumentError);
    await expectError(() => AsyncUdpSocket.bind({ type: 'udp5' as 'udp4' }), InvalidArgumentError);
  });
});
