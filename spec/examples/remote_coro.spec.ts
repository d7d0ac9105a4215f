import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { killAll, startExample } from './socketExampleProcess.js';

const udpPort = String(40000 + Math.floor(Math.random() * 20000));

describe('examples: remote_coro_server + remote_coro_client (two processes)', function () {
  this.timeout(30_000);
  const children: ChildProcess[] = [];
  afterEach(() => killAll(children));

  for (const how of ['location on the command line', 'UDP discovery on 127.0.0.1']) {
    it(`the client finds the server and the server prints messages 0..9 in order (${how})`, async () => {
      const server = startExample('remote_coro_server', ['--udp-port', udpPort, '--secret', 'rc'], children);
      const [, location] = await server.waitFor(/^server at (\S+)$/);
      const args = how.startsWith('location') ? [location, '--udp-port', udpPort, '--secret', 'rc'] : ['--udp-port', udpPort, '--secret', 'rc'];
      const client = startExample('remote_coro_client', args, children);
      await client.waitFor(new RegExp(`^server is at ${location.replace(/\./g, '\\.')}$`));
      expect(await client.exited(20_000)).to.equal(0);
      expect(await server.exited(10_000)).to.equal(0);
      const received = server.lines.filter((l) => l.startsWith('Received message'));
      expect(received.map((l) => Number(l.split(' ')[2]))).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(received[0]).to.match(/from coro\/\d+@127\.0\.0\.1:\d+$/);
    });
  }

  it('with a different secret the client never finds the server', async () => {
    const server = startExample('remote_coro_server', ['--udp-port', udpPort, '--secret', 'one'], children);
    const [, location] = await server.waitFor(/^server at (\S+)$/);
    const client = startExample('remote_coro_client', [location, '--udp-port', udpPort, '--secret', 'two'], children);
    expect(await client.exited(20_000)).to.not.equal(0);
    expect(server.lines.filter((l) => l.startsWith('Received'))).to.deep.equal([]);
  });
});
