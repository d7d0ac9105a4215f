/**
 * Turns a freshly connected socket into certificate TLS after the plaintext greeting: as the
 * dialling side with `tls.connect({ socket })`; as the accepting side by handing the socket to a
 * `tls.Server` that never listens, so that node's own server-side certificate verification
 * applies. One upgrader per node; TLS records then carry every frame. (A secret without
 * certificates seals its own records instead: RecordLayer.ts.) Node's `tls` (which loads `net`)
 * is loaded by the first upgrader, in certificate mode only: other nodes never load it.
 * @module
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type * as tls from 'node:tls';

interface Pending {
  resolve(socket: tls.TLSSocket): void;
  reject(err: Error): void;
}

/**
 * Upgrades sockets to TLS with fixed server and client options.
 * @example
 * ```ts
 * const upgrader = new TlsUpgrader(serverOptions, clientOptions);
 * const secure = await upgrader.upgrade(raw, 'initiator', 5000);
 * ```
 */
export class TlsUpgrader {
  private readonly server: tls.Server;
  private readonly pending = new Map<Socket, Pending>();

  private readonly tls = createRequire(import.meta.url)('node:tls') as typeof tls;
  private readonly clientOptions: tls.ConnectionOptions;

  /**
   * `accept`: the options of the tls.Server that accepts; `clientOptions`: those of `tls.connect`,
   * with a secure context made from `clientContext` when given. Throws the TLS error of bad certificates or keys.
   */
  constructor(accept: tls.TlsOptions, clientOptions: tls.ConnectionOptions, clientContext?: tls.SecureContextOptions) {
    const { tls } = this;
    this.clientOptions = clientContext === undefined ? clientOptions : { ...clientOptions, secureContext: tls.createSecureContext(clientContext) };
    // Our own deadline bounds the handshake; node's 120 s default would only be a fallback.
    this.server = tls.createServer({ ...accept, handshakeTimeout: 120_000 });
    // node keeps the PEM key on the server object, which every accepted socket references; the
    // secure context built from it is all that is needed from now on.
    for (const field of ['key', 'pfx', 'passphrase'] as const) delete (this.server as unknown as Record<string, unknown>)[field];
    this.server.on('secureConnection', (socket: tls.TLSSocket) => this.settle(parentOf(socket), undefined, socket));
    this.server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => this.settle(parentOf(socket), err, socket));
  }

  /**
   * Resolves with the TLS socket once the TLS handshake is done; rejects with the TLS error, on
   * hang-up, or after `timeout` ms (a plain Error with `code` 'ETIMEDOUT'). The socket is destroyed on failure.
   */
  upgrade(raw: Socket, role: 'initiator' | 'responder', timeout: number): Promise<tls.TLSSocket> {
    return new Promise((resolve, reject) => {
      let client: tls.TLSSocket | undefined;
      const timer = setTimeout(() => fail(Object.assign(new Error(`TLS handshake timed out after ${timeout} ms`), { code: 'ETIMEDOUT' })), timeout);
      const onClose = (): void => fail(Object.assign(new Error('the peer closed the connection during the TLS handshake'), { code: 'ECONNRESET' }));
      const done = (): void => {
        clearTimeout(timer);
        raw.off('close', onClose);
        this.pending.delete(raw);
      };
      const fail = (err: Error, socket?: tls.TLSSocket): void => {
        done();
        (socket ?? client)?.destroy();
        raw.destroy();
        reject(err);
      };
      raw.once('close', onClose);
      if (role === 'responder') {
        this.pending.set(raw, { resolve: (s) => (done(), resolve(s)), reject: (e) => fail(e) });
        this.server.emit('connection', raw);
        return;
      }
      const socket = (client = this.tls.connect({ ...this.clientOptions, socket: raw }));
      socket.once('error', (err) => fail(err, socket));
      socket.once('secureConnect', () => {
        done();
        socket.removeAllListeners('error');
        resolve(socket);
      });
    });
  }

  private settle(raw: Socket | undefined, err: Error | undefined, socket: tls.TLSSocket): void {
    const pending = raw === undefined ? undefined : this.pending.get(raw);
    if (pending === undefined) return void socket.destroy();
    if (err !== undefined) pending.reject(err);
    else pending.resolve(socket);
  }
}

/** The TCP socket a server-side TLS socket wraps (node keeps it as `_parent`). */
function parentOf(socket: tls.TLSSocket): Socket | undefined {
  return (socket as unknown as { _parent?: Socket })._parent;
}
