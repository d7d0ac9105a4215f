import { readFileSync } from 'node:fs';
import net from 'node:net';
import { expect } from 'chai';
import { CoroTerminatedError, TimeoutError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { AsyncServer } from '../../../transports/io/AsyncServer.js';
import { AsyncSocket } from '../../../transports/io/AsyncSocket.js';
import { TlsHandshakeError } from '../../../transports/io/ioErrors.js';
import { expectError, until } from '../../helpers.js';

const fixtures = new URL('../../../../spec/fixtures/tls/', import.meta.url);
const cert = readFileSync(new URL('cert.pem', fixtures));
const key = readFileSync(new URL('key.pem', fixtures));
const otherCert = readFileSync(new URL('other-cert.pem', fixtures));

describe('AsyncSocket: TLS', () => {
  let sched: Scheduler;
  let server: AsyncServer;
  const cleanup: Array<() => void> = [];
  beforeEach(async () => {
    sched = new Scheduler();
    // asyncoro's setup: one self-signed certificate, used by the server and as the clients' CA.
    server = await AsyncServer.listen({ scheduler: sched, tls: { cert, key } });
    cleanup.push(() => server.close());
  });
  afterEach(async () => {
    for (const fn of cleanup.splice(0)) fn();
    await sched.terminate();
  });

  it('a client verifying the server against the shared certificate exchanges messages', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const [client, conn] = await Promise.all([
        AsyncSocket.connect({ host, port: server.port, tls: { ca: cert }, scheduler: sched, timeout: 5000 }),
        server.accept({ timeout: 5000 }),
      ]);
      cleanup.push(() => (client.close(), conn.close()));
      await client.sendMsg(Buffer.from(`over tls to ${host}`));
      expect(String(await conn.recvMsg({ timeout: 2000 }))).to.equal(`over tls to ${host}`);
      await conn.sendAll(Buffer.from('reply\n'));
      expect(String(await client.recvLine({ timeout: 2000 }))).to.equal('reply\n');
    }
  });

  it('a client with the wrong CA gets TlsHandshakeError; the server keeps serving others', async () => {
    const err = await expectError(
      () => AsyncSocket.connect({ port: server.port, tls: { ca: otherCert }, scheduler: sched, timeout: 5000 }),
      TlsHandshakeError,
    );
    expect(err.code).to.equal('ERR_TLS_HANDSHAKE');
    await expectError(() => AsyncSocket.connect({ port: server.port, tls: true, scheduler: sched, timeout: 5000 }), TlsHandshakeError);
    const [good, conn] = await Promise.all([
      AsyncSocket.connect({ port: server.port, tls: { ca: cert }, scheduler: sched, timeout: 5000 }),
      server.accept({ timeout: 5000 }),
    ]);
    cleanup.push(() => (good.close(), conn.close()));
    await good.sendAll(Buffer.from('ok'));
    expect(String(await conn.recvAll(2, { timeout: 2000 }))).to.equal('ok');
  });

  it('a handshake that never completes times out with TimeoutError, or is cancelled by terminate()', async () => {
    const silent = net.createServer(() => {}); // accepts TCP, never speaks TLS
    const held: net.Socket[] = [];
    silent.on('connection', (s) => held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanup.push(() => (held.forEach((s) => s.destroy()), silent.close()));
    const port = (silent.address() as net.AddressInfo).port;
    await expectError(() => AsyncSocket.connect({ port, tls: { ca: cert }, scheduler: sched, timeout: 50 }), TimeoutError);
    let connecting = false;
    const connector = sched.spawn(async (coro) => {
      connecting = true;
      return AsyncSocket.connect({ port, tls: { ca: cert }, coro });
    });
    await until(() => connecting && held.length === 2, 5000, 'the second TCP connection to be held');
    connector.terminate();
    await expectError(() => connector.value(), CoroTerminatedError);
  });
});
