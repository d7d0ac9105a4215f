/**
 * Opening peer connections: plain TCP, or TLS when the node has certificates. Authentication
 * is the handshake's job (Handshake.ts); TLS adds confidentiality and, with a CA, mutual
 * certificate checks.
 * @module
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Location } from './Location.js';
import { PeerUnreachableError } from './netErrors.js';
import type { NetworkOptions } from './peerOptions.js';

type TlsOptions = NetworkOptions['tls'];

/**
 * Connects to a peer; throws PeerUnreachableError when refused, unreachable or too slow.
 * @example
 * ```ts
 * const socket = await dial(Location.parse('127.0.0.1:9705'), undefined, 5000);
 * ```
 */
export function dial(location: Location, tlsOptions: TlsOptions, timeout: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = tlsOptions === undefined
      ? net.connect({ host: location.host, port: location.port })
      : tls.connect({
        host: location.host,
        port: location.port,
        cert: tlsOptions.cert,
        key: tlsOptions.key,
        ca: tlsOptions.ca,
        rejectUnauthorized: tlsOptions.ca !== undefined,
        // Peers are identified by the shared-secret handshake and the CA, not by host names.
        checkServerIdentity: () => undefined,
      });
    const timer = setTimeout(() => fail(new Error(`connect timed out after ${timeout} ms`)), timeout);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new PeerUnreachableError(`cannot connect to ${location}: ${err.message}`, { cause: err }));
    };
    socket.once('error', fail);
    socket.once(tlsOptions === undefined ? 'connect' : 'secureConnect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

/**
 * Listens for peers; `onSocket` gets each connection (after the TLS handshake, if any; a party
 * that does not complete it within `handshakeTimeout` ms is dropped).
 * @example
 * ```ts
 * const server = await listen('127.0.0.1', 0, undefined, (s) => accept(s), 5000);
 * ```
 */
export function listen(host: string, port: number, tlsOptions: TlsOptions, onSocket: (socket: net.Socket) => void, handshakeTimeout = 5000): Promise<net.Server> {
  const server = tlsOptions === undefined
    ? net.createServer({ noDelay: true }, onSocket)
    : tls.createServer({ cert: tlsOptions.cert, key: tlsOptions.key, ca: tlsOptions.ca, requestCert: tlsOptions.ca !== undefined, rejectUnauthorized: tlsOptions.ca !== undefined, handshakeTimeout }, onSocket);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: 128 }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
