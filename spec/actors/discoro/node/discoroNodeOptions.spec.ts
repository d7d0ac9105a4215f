import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { inspect } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { machineCpus, resolveNodeOptions } from '../../../../actors/discoro/node/discoroNodeOptions.js';
import { InvalidArgumentError } from '../../../../runtime/runtimeErrors.js';

describe('discoroNodeOptions', () => {
  const have = machineCpus();

  it('machineCpus: at least one, what node says the machine has', () => {
    expect(have).to.be.at.least(1);
    expect(have).to.equal(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
  });

  it('the defaults: one server per CPU, loopback, ephemeral port, the host name, a folder under tmpdir, unlimited serving', () => {
    const o = resolveNodeOptions({});
    expect(o).to.deep.include({
      cpus: have, host: '127.0.0.1', port: 0, serverPorts: [], name: os.hostname(), serve: -1, insecure: false, clean: false, peers: [], discover: true,
      pulseInterval: 10_000, zombiePeriod: 100_000, gracePeriod: 5000, heartbeatInterval: 1000, peerTimeout: 5000, startTimeout: 30_000, logLevel: 'warn', spareServers: have,
    });
    expect(o.destDir).to.equal(path.join(os.tmpdir(), 'asyncoro', 'discoro', os.hostname()));
    expect(o.logger.level).to.equal('silent');
    expect(o.modules).to.deep.equal([]);
    expect(o.maxPackageSize).to.equal(256 * 2 ** 20);
  });

  it('modules: each folder given as where npm install --prefix puts packages, or as a node_modules folder; its node_modules, absolute', () => {
    const prefix = mkdtempSync(path.join(os.tmpdir(), 'node-options-'));
    try {
      mkdirSync(path.join(prefix, 'a', 'node_modules'), { recursive: true });
      mkdirSync(path.join(prefix, 'b', 'node_modules'), { recursive: true });
      const o = resolveNodeOptions({ modules: [path.join(prefix, 'a'), path.join(prefix, 'b', 'node_modules')], maxPackageSize: 1000 });
      expect(o.modules).to.deep.equal([path.join(prefix, 'a', 'node_modules'), path.join(prefix, 'b', 'node_modules')]);
      expect(o.maxPackageSize).to.equal(1000);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });

  it('cpus: a count up to the machine\'s, or a negative count left unused', () => {
    expect(resolveNodeOptions({ cpus: 1 }).cpus).to.equal(1);
    expect(resolveNodeOptions({ cpus: have }).cpus).to.equal(have);
    expect(resolveNodeOptions({ cpus: 0 }).cpus).to.equal(have); // 0 leaves none unused
    if (have > 1) expect(resolveNodeOptions({ cpus: -1 }).cpus).to.equal(have - 1);
  });

  it('given values are kept; the peer timeout follows a slow heartbeat; the folder is made absolute', () => {
    const o = resolveNodeOptions({ name: 'n1', destDir: 'rel/dir', heartbeatInterval: 3000, serverPorts: [9001, 9002], serve: 2, secret: 's', spareServers: 0, maxWaiting: 3, serverRestarts: { maxRestarts: 2, withinMs: 100 } });
    expect([o.name, o.heartbeatInterval, o.peerTimeout, o.serverPorts, o.serve, o.hasSecret, o.spareServers, o.maxWaiting, o.serverRestarts]).to.deep.equal(['n1', 3000, 9000, [9001, 9002], 2, true, 0, 3, { maxRestarts: 2, withinMs: 100 }]);
    expect(o.destDir).to.equal(path.resolve('rel/dir'));
    expect(resolveNodeOptions({ cpus: 1 }).serverRestarts).to.deep.equal({ maxRestarts: 10, withinMs: 5000 });
  });

  it('the resolved options keep no secret and no TLS key: not as a field, not in util.inspect, not in JSON', () => {
    const o = resolveNodeOptions({ secret: 'do-not-keep-this-secret', tls: { cert: 'CERT', key: 'do-not-keep-this-key' } });
    expect(o).to.not.have.property('secret');
    expect(o).to.not.have.property('tls');
    expect(inspect(o, { depth: Infinity, showHidden: true })).to.not.match(/do-not-keep/);
    expect(JSON.stringify(o)).to.not.match(/do-not-keep/);
  });

  it('bad values are InvalidArgumentError', () => {
    const bad: object[] = [{ cpus: 1.5 }, { cpus: have + 1 }, { cpus: -have }, { serve: 0 }, { serve: -2 }, { serve: 1.5 }, { serverPorts: [0] }, { serverPorts: [70000] },
      { serverPorts: 'x' }, { heartbeatInterval: 0 }, { pulseInterval: -1 }, { zombiePeriod: Infinity }, { peerTimeout: '5' }, { startTimeout: NaN },
      { spareServers: -1 }, { spareServers: 0.5 }, { maxWaiting: -1 }, { maxWaiting: 1.5 }, { serverRestarts: { maxRestarts: -1, withinMs: 10 } },
      { serverRestarts: { maxRestarts: 1, withinMs: 0 } }, { serverRestarts: 5 }, { modules: '/srv/deps' }, { modules: [''] }, { modules: ['/no/such/deps'] },
      { maxPackageSize: 0 }, { maxPackageSize: 1.5 }, { maxPackageSize: '10m' }];
    for (const options of bad) expect(() => resolveNodeOptions(options as never), JSON.stringify(options)).to.throw(InvalidArgumentError);
  });
});
