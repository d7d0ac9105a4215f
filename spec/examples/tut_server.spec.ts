import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { killAll, startExample } from './socketExampleProcess.js';

/** A UDP port for one spec's discovery, away from the default so runs do not meet. */
const udpPort = String(40000 + Math.floor(Math.random() * 20000));

describe('examples: tut_server + tut_client (two processes)', function () {
  this.timeout(40_000);
  const children: ChildProcess[] = [];
  afterEach(() => killAll(children));

  for (const how of ['location on the command line', 'UDP discovery on 127.0.0.1']) {
    it(`the server processes 30 messages from 10 clients × 3 (${how})`, async () => {
      const server = startExample('tut_server', ['--udp-port', udpPort], children);
      const [, location] = await server.waitFor(/^server at (\S+)$/);
      const args = how.startsWith('location') ? [location, '--udp-port', udpPort] : ['--udp-port', udpPort];
      const client = startExample('tut_client', args, children, { SCALE: '0.1' }); // its clients sleep 0-100 ms between messages, not 0-1 s
      client.proc.stdin!.end();
      expect(await client.exited(30_000)).to.equal(0);
      await server.waitFor(/^processing 30: /, 5000);
      const processing = server.lines.filter((l) => l.startsWith('processing '));
      expect(processing.length).to.equal(30);
      const seen = new Set(processing.map((l) => l.replace(/^processing \d+: /, '')));
      expect(seen.size).to.equal(30);
      for (let c = 0; c < 10; c++) {
        const mine = processing.filter((l) => l.endsWith(`: ${c} / 0`) || l.endsWith(`: ${c} / 1`) || l.endsWith(`: ${c} / 2`)).map((l) => Number(l.at(-1)));
        expect(mine, `client ${c} in order`).to.deep.equal([0, 1, 2]);
      }
      server.proc.stdin!.write('quit\n');
      expect(await server.exited(5000)).to.equal(0);
    });
  }
});
