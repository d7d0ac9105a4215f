import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { killAll, startExample } from './socketExampleProcess.js';

/** A UDP port for this spec's discovery, away from the default so runs do not meet. */
const udpPort = String(40000 + Math.floor(Math.random() * 20000));

describe('examples: rci_monitor_server + rci_monitor_client (two processes, secret)', function () {
  this.timeout(40_000);
  const children: ChildProcess[] = [];
  afterEach(() => killAll(children));

  it('five remote coroutines: even ones finish with their message, odd ones fail', async () => {
    const server = startExample('rci_monitor_server', ['--udp-port', udpPort], children);
    const [, location] = await server.waitFor(/^server at (\S+)$/);
    const client = startExample('rci_monitor_client', [location, '--udp-port', udpPort], children);
    client.proc.stdin!.end();
    expect(await client.exited(30_000)).to.equal(0);
    const at = client.lines.filter((l) => l.startsWith('RCI is at '));
    expect(at).to.deep.equal([`RCI is at ${location}`, `RCI is at ${location}`]);
    expect(client.lines.filter((l) => / created$/.test(l)).length).to.equal(5);
    for (let x = 0; x < 5; x++) {
      const expected = x % 2 === 0 ? new RegExp(`^RCI rci_1/\\d+@${location} finished with: msg:${x}$`) : new RegExp(`^RCI rci_1/\\d+@${location} failed with: invalid invocation: ${x}$`);
      expect(client.lines.filter((l) => expected.test(l)).length, `outcome of ${x}`).to.equal(1);
    }
    await server.waitFor(/: test4 \/ msg:4$/, 5000);
    server.proc.stdin!.write('quit\n');
    expect(await server.exited(5000)).to.equal(0);
  });

  it('a client with another secret never authenticates: its locate times out and it says so', async () => {
    const server = startExample('rci_monitor_server', ['--udp-port', udpPort], children);
    const [, location] = await server.waitFor(/^server at (\S+)$/);
    const client = startExample('rci_monitor_client', [location, '--udp-port', udpPort, '--secret', 'wrong', '--timeout', '1500'], children);
    client.proc.stdin!.end();
    expect(await client.exited(20_000)).to.equal(1);
    expect(client.lines).to.deep.equal(['RCI rci_1 not found: locate timed out']);
    server.proc.stdin!.write('quit\n');
    expect(await server.exited(5000)).to.equal(0);
  });
});
