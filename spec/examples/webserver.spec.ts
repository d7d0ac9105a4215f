import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { expect } from 'chai';
import { killAll, startExample } from './socketExampleProcess.js';

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write('GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n'));
    let reply = '';
    sock.setTimeout(10000, () => sock.destroy(new Error('no reply')));
    sock.on('data', (c) => (reply += c.toString()));
    sock.on('end', () => resolve(reply));
    sock.on('error', reject);
  });
}

describe('example: webserver', () => {
  const children: ChildProcess[] = [];
  after(() => killAll(children));

  it('answers HTTP GETs, 200 concurrent ones included, with 200 OK and the 5-byte body Pong!', async function () {
    this.timeout(30000);
    const server = startExample('webserver', ['0'], children);
    const port = Number((await server.waitFor(/^listening on (\d+)$/))[1]);
    const replies = await Promise.all(Array.from({ length: 200 }, () => get(port)));
    for (const reply of replies) {
      expect(reply.startsWith('HTTP/1.0 200 OK\r\n')).to.equal(true);
      expect(reply).to.include('Content-Length: 5\r\n');
      expect(reply.endsWith('\r\n\r\nPong!')).to.equal(true);
    }
    server.proc.stdin!.end('quit\n');
    expect(await server.exited()).to.equal(0);
  });
});
