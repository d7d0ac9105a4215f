/**
 * Helpers shared by the socket specs: connected pairs on 127.0.0.1 with
 * ephemeral ports, a raw-peer pair, a bounded condition poll and an error matcher.
 * @module
 */
import net from 'node:net';
import { expect } from 'chai';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { AsyncServer } from '../../../transports/io/AsyncServer.js';
import { AsyncSocket } from '../../../transports/io/AsyncSocket.js';
import type { SocketOptions } from '../../../transports/io/socketOptions.js';

/** A connected AsyncSocket pair: `client` connected to `server`, accepted as `conn`. */
export async function asyncPair(sched: Scheduler, options: SocketOptions = {}): Promise<{ server: AsyncServer; client: AsyncSocket; conn: AsyncSocket; close(): void }> {
  const server = await AsyncServer.listen({ ...options, scheduler: sched });
  const [client, conn] = await Promise.all([
    AsyncSocket.connect({ ...options, port: server.port, timeout: 5000, scheduler: sched }),
    server.accept({ timeout: 5000 }),
  ]);
  return { server, client, conn, close: () => (client.close(), conn.close(), server.close()) };
}

/** An AsyncSocket whose peer is a raw node socket the test drives byte by byte. */
export async function rawPeer(sched: Scheduler, options: SocketOptions = {}): Promise<{ sock: AsyncSocket; peer: net.Socket; close(): void }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const sock = await AsyncSocket.connect({ ...options, port, timeout: 5000, scheduler: sched });
  const peer = await accepted;
  peer.on('error', () => {});
  server.close();
  return { sock, peer, close: () => (sock.close(), peer.destroy()) };
}

/** Waits (at most `ms`) until `cond()` holds; fails the test otherwise. */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Expects `fn()` to throw or reject with an error of class `type` (checked by its code too); returns the error. */
export async function expectError<E extends Error>(fn: () => unknown, type: (abstract new (...args: any[]) => E) & { CODE?: string }): Promise<E> {
  let error: unknown;
  try {
    await fn();
  } catch (err) {
    error = err;
  }
  expect(error, `expected ${type.name}`).to.be.instanceOf(type);
  if (type.CODE !== undefined) expect((error as { code?: string }).code).to.equal(type.CODE);
  return error as E;
}

/** Resolves on the next macrotask (lets the event loop deliver I/O). */
export function tick(ms = 0): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Registers hooks that give each test a fresh scheduler and run the cleanups it pushed
 * (then terminate the scheduler). Use `fx.sched` and `fx.cleanup.push(...)` inside tests.
 */
export function socketFixture(): { readonly sched: Scheduler; readonly cleanup: Array<() => void> } {
  let sched: Scheduler | undefined;
  const cleanup: Array<() => void> = [];
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    for (const fn of cleanup.splice(0)) fn();
    await sched!.terminate();
  });
  return {
    get sched(): Scheduler {
      return sched!;
    },
    cleanup,
  };
}
