/**
 * Opening peer connections: always plain TCP. The handshake (handshake.ts) greets in plaintext,
 * then upgrades the socket to TLS when the node has a secret or certificates.
 * @module
 */
import net from 'node:net';
import type { Location } from './Location.js';
import { PeerUnreachableError } from './netErrors.js';

/**
 * Connects to a peer over TCP; throws PeerUnreachableError when refused, unreachable or too slow.
 * @example
 * ```ts
 * const socket = await dial(Location.parse('127.0.0.1:9705'), 5000);
 * ```
 */
export function dial(location: Location, timeout: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: location.host, port: location.port, noDelay: true });
    const timer = setTimeout(() => fail(new Error(`connect timed out after ${timeout} ms`)), timeout);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new PeerUnreachableError(`cannot connect to ${location}: ${err.message}`, { cause: err }));
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

/**
 * Listens on every address of `hosts` at one port: `port`, or (0) the one the first address got,
 * trying a few fresh ones when that port is taken at another address. Rejects with the listen
 * error (and closes what it opened).
 * @example
 * ```ts
 * const servers = await listenAll(['127.0.0.1', '::1'], 0, (s) => accept(s));
 * ```
 */
export async function listenAll(hosts: readonly string[], port: number, onSocket: (socket: net.Socket) => void): Promise<net.Server[]> {
  for (let attempt = 0; ; attempt++) {
    const servers: net.Server[] = [];
    try {
      for (const host of hosts) {
        servers.push(await listen(host, servers.length === 0 ? port : (servers[0]!.address() as net.AddressInfo).port, onSocket));
      }
      return servers;
    } catch (err) {
      for (const s of servers) s.close();
      if (port !== 0 || servers.length === 0 || (err as { code?: string }).code !== 'EADDRINUSE' || attempt >= 4) throw err;
    }
  }
}

/**
 * Closes `servers` (each finishes once its connections have closed); resolves when all have,
 * or after `bound` ms (a ref'd timer, so the process stays up meanwhile).
 * @example
 * ```ts
 * await closeListeners(await listenAll(["127.0.0.1"], 0, (s) => s.destroy()), 2000);
 * ```
 */
export function closeListeners(servers: readonly net.Server[], bound: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let open = servers.length;
    if (open === 0) return resolve();
    const timer = setTimeout(resolve, bound);
    for (const server of servers) {
      server.close(() => {
        if (--open > 0) return;
        clearTimeout(timer);
        resolve();
      });
    }
  });
}

/**
 * Connections the kernel may queue before they are accepted (it caps this at net.core.somaxconn):
 * a flood of connection attempts must not make it drop a peer's SYN (which costs that peer a
 * retransmission, a second or more), since the handshake table decides whom to keep.
 */
const LISTEN_BACKLOG = 4096;

/**
 * Listens for peers over TCP; `onSocket` gets each connection paused (nothing is read before the
 * handshake decides how: plaintext frames, or TLS records).
 * @example
 * ```ts
 * const server = await listen('127.0.0.1', 0, (s) => accept(s));
 * ```
 */
export function listen(host: string, port: number, onSocket: (socket: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer({ noDelay: true, pauseOnConnect: true }, onSocket);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
