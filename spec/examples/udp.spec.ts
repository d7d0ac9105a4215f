import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { killAll, startExample } from './socketExampleProcess.js';

describe('example: udp', () => {
  const children: ChildProcess[] = [];
  after(() => killAll(children));

  it('receives the 50 datagrams of the 50 clients, then exits', async function () {
    this.timeout(30000);
    const udp = startExample('udp', [], children);
    await udp.waitFor(/^done: 50$/);
    expect(await udp.exited()).to.equal(0);
    const received = udp.lines.filter((l) => /^Received "client socket: \d+" from 127\.0\.0\.1:\d+$/.test(l));
    expect(received).to.have.length(50);
    expect(new Set(received.map((l) => l.match(/socket: (\d+)/)![1])).size).to.equal(50);
  });
});
