import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { killAll, startExample } from './socketExampleProcess.js';

const udpPort = String(40000 + Math.floor(Math.random() * 20000));

describe('examples: pico_service_task + pico_client_task (two processes, secret)', function () {
  this.timeout(40_000);
  const children: ChildProcess[] = [];
  afterEach(() => killAll(children));

  it('the client gets the time from the service after the requested delay', async () => {
    // SCALE 0.1: the service sleeps 200-500 ms for the 2-5 s the client asks for.
    const service = startExample('pico_service_task', ['--udp-port', udpPort], children, { SCALE: '0.1' });
    const [, location] = await service.waitFor(/^service at (\S+)$/);
    const t0 = performance.now();
    const client = startExample('pico_client_task', [location, '--udp-port', udpPort], children);
    const [line] = await client.waitFor(/^result: .+, from: pico_service\/\d+$/, 20_000);
    expect(performance.now() - t0).to.be.greaterThan(150); // the delay asked for is 2-5 s, scaled: 200-500 ms
    expect(line).to.match(/\d{2}:\d{2}:\d{2}/);
    expect(await client.exited(5000)).to.equal(0);
    service.proc.stdin!.write('quit\n');
    expect(await service.exited(5000)).to.equal(0);
  });

  it('a client with another secret does not find the service (locate times out)', async () => {
    const service = startExample('pico_service_task', ['--udp-port', udpPort], children);
    const [, location] = await service.waitFor(/^service at (\S+)$/);
    const client = startExample('pico_client_task', [location, '--udp-port', udpPort, '--secret', 'other', '--timeout', '1500'], children);
    expect(await client.exited(20_000)).to.not.equal(0);
  });
});
