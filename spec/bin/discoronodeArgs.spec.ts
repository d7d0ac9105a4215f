import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCommand, USAGE, UsageError } from '../../bin/discoronodeArgs.js';

describe('bin/discoronodeArgs (parseCommand in-process)', () => {
  it('heartbeats, the peer timeout and spare servers reach the node options, from flags or DISCORO_*', () => {
    const o = parseCommand(['--heartbeat-interval', '200', '--peer-timeout', '1000', '--spare-servers', '0'], {}).options;
    expect([o.heartbeatInterval, o.peerTimeout, o.spareServers]).to.deep.equal([200, 1000, 0]);
    const e = parseCommand([], { DISCORO_HEARTBEAT_INTERVAL: '300', DISCORO_PEER_TIMEOUT: '2000', DISCORO_SPARE_SERVERS: '1' }).options;
    expect([e.heartbeatInterval, e.peerTimeout, e.spareServers]).to.deep.equal([300, 2000, 1]);
    expect(parseCommand(['--peer-timeout', '4000'], { DISCORO_PEER_TIMEOUT: '2000' }).options.peerTimeout).to.equal(4000);
  });

  it('--max-waiting and --zombie-period (the most the node grants) reach the node options; --help says what each bounds', () => {
    const o = parseCommand(['--max-waiting', '3', '--zombie-period', '2000'], {}).options;
    expect([o.maxWaiting, o.zombiePeriod]).to.deep.equal([3, 2000]);
    expect(parseCommand([], { DISCORO_MAX_WAITING: '0' }).options.maxWaiting).to.equal(0);
    expect(() => parseCommand(['--max-waiting=-1'], {})).to.throw(UsageError, /--max-waiting must be an integer ≥ 0/);
    expect(USAGE).to.match(/--zombie-period MS +the longest a client may be silent[\s\S]*gets at most this/);
    expect(USAGE).to.match(/--max-waiting N +computations that may wait for slots at once[\s\S]*one waiting/);
  });

  it('a peer timeout under three heartbeats, or a bad number, is a UsageError naming the flag', () => {
    expect(() => parseCommand(['--peer-timeout', '2000'], {})).to.throw(UsageError, /at least 3 heartbeat intervals \(3000 ms\)/);
    expect(() => parseCommand(['--heartbeat-interval', 'soon'], {})).to.throw(UsageError, /--heartbeat-interval must be an integer/);
    expect(() => parseCommand(['--spare-servers', 'many'], {})).to.throw(UsageError, /--spare-servers must be an integer/);
  });

  it('--failed-jobs (also DISCORO_FAILED_JOBS) reaches the node options; a bad value is a UsageError', () => {
    expect(parseCommand(['--failed-jobs', '250'], {}).options.failedJobs).to.equal(250);
    expect(parseCommand([], { DISCORO_FAILED_JOBS: '0' }).options.failedJobs).to.equal(0);
    expect(parseCommand([], {}).options.failedJobs).to.equal(undefined);
    for (const bad of ['-1', '10001', 'many']) expect(() => parseCommand([`--failed-jobs=${bad}`], {}), bad).to.throw(UsageError, /--failed-jobs must be an integer in 0\.\.10000/);
    expect(USAGE).to.match(/--failed-jobs N +failed jobs the node keeps/);
  });

  it('--dashboard-token-file reads the token from a file (a missing one is a UsageError); --dashboard-token wins over it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dashboard-token-'));
    try {
      const file = path.join(dir, 'token');
      writeFileSync(file, 'a-token-from-a-file-0123456789\n', { mode: 0o600 });
      expect(parseCommand(['--dashboard-token-file', file], {}).dashboard?.token).to.equal('a-token-from-a-file-0123456789');
      expect(parseCommand(['--dashboard-token-file', file, '--dashboard-token', 'the-flag-token-0123456789'], {}).dashboard?.token).to.equal('the-flag-token-0123456789');
      expect(() => parseCommand(['--dashboard-token-file', path.join(dir, 'missing')], {})).to.throw(UsageError, /cannot read the dashboard token file/);
      expect(USAGE).to.include('--dashboard-token-file FILE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
