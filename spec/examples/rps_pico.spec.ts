import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { killAll, startExample } from './socketExampleProcess.js';

const udpPort = String(40000 + Math.floor(Math.random() * 20000));

describe('examples: rps_pico_service + rps_pico_client (two processes, secret)', function () {
  this.timeout(40_000);
  const children: ChildProcess[] = [];
  const savedScale = process.env.SCALE;
  before(() => {
    process.env.SCALE = '0.1'; // inherited by the children: delays of 100-300 ms
  });
  after(() => {
    if (savedScale === undefined) delete process.env.SCALE;
    else process.env.SCALE = savedScale;
  });
  afterEach(() => killAll(children));

  it('five calls give the time from remote coroutines; an invalid call fails with its message', async () => {
    const service = startExample('rps_pico_service', ['--udp-port', udpPort], children);
    const [, location] = await service.waitFor(/^service at (\S+)$/);
    const client = startExample('rps_pico_client', [location, '--udp-port', udpPort], children);
    client.proc.stdin!.end();
    expect(await client.exited(20_000)).to.equal(0);
    const results = client.lines.filter((l) => l.startsWith('result: '));
    expect(results.length, client.lines.join('\n')).to.equal(5);
    for (const line of results) expect(line).to.match(new RegExp(`^result: .*\\d{2}:\\d{2}:\\d{2}.*, from: pico_service/\\d+@${location}$`));
    expect(client.lines.at(-1)).to.equal('invalid call failed with: invalid request: date');
    service.proc.stdin!.write('quit\n');
    expect(await service.exited(5000)).to.equal(0);
  });

  it('a client with another secret does not find the service', async () => {
    const service = startExample('rps_pico_service', ['--udp-port', udpPort], children);
    const [, location] = await service.waitFor(/^service at (\S+)$/);
    // locate gives up after --timeout
    const client = startExample('rps_pico_client', [location, '--udp-port', udpPort, '--secret', 'other', '--timeout', '1500'], children);
    client.proc.stdin!.end();
    expect(await client.exited(20_000)).to.equal(1);
    expect(client.lines).to.deep.equal(['pico_service not found']);
  });
});
