/**
 * Spec helper: a TCP listener on 127.0.0.1 in front of a node that treats each connection as its
 * script says, in turn (the last entry for all later ones): `busy` answers a REJECT busy, as a
 * node whose handshake table refuses the connection does; `room` greets as a node with a secret, then
 * closes the connection when the dialler speaks (as a table that made room for another does);
 * `cut` relays to the node and drops the connection once the node has answered past its greeting
 * (a handshake cut short for another reason); `pass` relays.
 * @module
 */
import net from 'node:net';
import { encodeFrame } from '../../../transports/io/FrameDecoder.js';
import { PROTOCOL_VERSION } from '../../../transports/net/handshake.js';
import { FrameType, MAGIC, reject, RejectReason } from '../../../transports/net/hellos.js';
import { nonceFrame } from '../../../transports/net/recordKeys.js';

/** What the proxy does with one connection. */
export type Treatment = 'busy' | 'room' | 'cut' | 'pass';

/** A listening proxy; `seen` lists the treatment each connection got. */
export interface RefusingProxy {
  port: number;
  location: string;
  seen: Treatment[];
  close(): void;
}

const GREETING = Buffer.concat([
  encodeFrame(reject(RejectReason.Version, PROTOCOL_VERSION)),
  encodeFrame(Buffer.from([...Buffer.from(MAGIC.toString(16), 'hex'), FrameType.Mode, 1])),
  encodeFrame(nonceFrame()),
]);

/** Starts a proxy in front of `target` (`host:port`). */
export async function refusingProxy(target: string, script: readonly Treatment[]): Promise<RefusingProxy> {
  const [host, port] = target.split(':');
  const seen: Treatment[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const treatment = script[Math.min(seen.length, script.length - 1)]!;
    seen.push(treatment);
    sockets.add(client);
    client.on('error', () => {});
    if (treatment === 'busy') return void client.write(encodeFrame(reject(RejectReason.Busy, PROTOCOL_VERSION)));
    if (treatment === 'room') {
      client.write(GREETING);
      return void client.once('data', () => client.destroy());
    }
    const upstream = net.connect({ port: Number(port), host });
    sockets.add(upstream);
    upstream.on('error', () => {});
    let answered = 0;
    for (const s of [client, upstream]) s.on('close', () => (client.destroy(), upstream.destroy()));
    client.on('data', (d: Buffer) => upstream.write(d));
    upstream.on('data', (d: Buffer) => {
      client.write(d);
      answered += d.length;
      if (treatment === 'cut' && answered > GREETING.length) setImmediate(() => client.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const p = (server.address() as net.AddressInfo).port;
  return {
    port: p,
    location: `127.0.0.1:${p}`,
    seen,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
