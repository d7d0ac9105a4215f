import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { killAll, startExample } from './socketExampleProcess.js';

const udpPort = String(40000 + Math.floor(Math.random() * 20000));

describe('examples: remote_channel_server + remote_channel_client (two processes)', function () {
  this.timeout(40_000);
  const children: ChildProcess[] = [];
  afterEach(() => killAll(children));

  it('deliver with n = 2 blocks until the server subscribes late; then both receive messages 0..9 in order', async () => {
    const server = startExample('remote_channel_server', ['--delay', '1500', '--secret', 'rch', '--udp-port', udpPort], children);
    const [, location] = await server.waitFor(/^server at (\S+)$/);
    const client = startExample('remote_channel_client', [location, '--secret', 'rch', '--udp-port', udpPort], children);
    await client.waitFor(/^channel is at /);
    expect(await client.exited(30_000)).to.equal(0);
    expect(await server.exited(10_000)).to.equal(0);
    expect(client.lines.filter((l) => l.startsWith('delivered to:'))).to.deep.equal(Array(10).fill('delivered to: 2'));
    const received = (lines: string[]) => lines.filter((l) => l.startsWith('Received')).map((l) => /"message (\d+)" from sender_proc at 127\.0\.0\.1:\d+$/.exec(l)?.[1]);
    const expected = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
    expect(received(client.lines)).to.deep.equal(expected);
    expect(received(server.lines)).to.deep.equal(expected);
    // The first delivery could only complete after the server's receiver subscribed.
    expect(server.lines.indexOf('server receiver subscribed')).to.be.lessThan(server.lines.findIndex((l) => l.startsWith('Received')));
  });
});
