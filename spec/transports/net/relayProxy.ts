/**
 * Spec helper: a TCP proxy on 127.0.0.1 that relays bytes between a client and `target`, records
 * what passes each way, and lets a spec inject bytes into the stream to the target: the position
 * of an attacker on the path.
 * @module
 */
import net from 'node:net';

/** One relayed connection. */
export interface Relayed {
  client: net.Socket;
  upstream: net.Socket;
  /** Bytes client → target and target → client so far. */
  toTarget: Buffer[];
  toClient: Buffer[];
  /** Writes `bytes` to the target as if the client had sent them. */
  inject(bytes: Buffer): void;
}

/** A listening relay; `connections` fills as clients connect. */
export interface RelayProxy {
  port: number;
  connections: Relayed[];
  close(): void;
}

/** Rewrites relayed bytes: `n` counts the chunks relayed in that direction so far on this connection. */
export type Tamper = (direction: 'toTarget' | 'toClient', chunk: Buffer, n: number) => Buffer;

/** Starts a relay to `target` (`host:port`), optionally rewriting what it relays, dialling from `localAddress`. */
export async function relayProxy(target: string, tamper?: Tamper, localAddress?: string): Promise<RelayProxy> {
  const [host, port] = target.split(':');
  const connections: Relayed[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ port: Number(port), host, localAddress });
    const r: Relayed = { client, upstream, toTarget: [], toClient: [], inject: (b) => void upstream.write(b) };
    connections.push(r);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (d: Buffer) => (r.toTarget.push(d), upstream.write(tamper?.('toTarget', d, r.toTarget.length - 1) ?? d)));
    upstream.on('data', (d: Buffer) => (r.toClient.push(d), client.write(tamper?.('toClient', d, r.toClient.length - 1) ?? d)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
