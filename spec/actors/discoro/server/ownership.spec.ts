import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineProcess } from '../../../fixtures/LineProcess.js';
import { discoroFixture, SECRET, type NodeProcess } from '../discoroFixture.js';

const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ownershipClient.js');

/** A client process of its own computation, sharing the node's secret with the other one. */
class Client extends LineProcess {
  target: Record<string, unknown> = {};
  constructor(node: string, name: string, scratch: string) {
    super(spawn(process.execPath, [CLIENT, node, SECRET, name, scratch], { stdio: ['pipe', 'pipe', 'pipe'] }), `client ${name}`);
  }
  async ready(): Promise<void> {
    this.target = JSON.parse(await this.nextLine(30_000));
  }
  attack(other: Client, self = false): Promise<Record<string, string>> {
    return this.ask({ attack: other.target, self }, 30_000);
  }
  check(): Promise<{ runningJobAlive: boolean; finishedValue: string; file: string | null }> {
    return this.ask({ check: true }, 30_000);
  }
}

describe('discoro servers serve their computation\'s client only', function () {
  this.timeout(90_000);
  const fx = discoroFixture();
  const clients: Client[] = [];
  let node: NodeProcess;

  before(async () => {
    node = await fx.node();
  });
  after(async () => {
    for (const c of clients) await c.kill();
    await fx.cleanup();
  });

  it('two clients that share the secret: each raw request against the other\'s server is a typed refusal, and nothing changes', async () => {
    const a = new Client(node.location, 'A', fx.dir), b = new Client(node.location, 'B', fx.dir);
    clients.push(a, b);
    await Promise.all([a.ready(), b.ready()]);
    expect(a.target.server).to.not.equal(b.target.server);
    const refused = { run: 'ERR_DISCORO_NOT_OWNER', runShippedCode: 'ERR_DISCORO_NOT_OWNER', terminate: 'ERR_DISCORO_NOT_OWNER', readResult: 'ERR_DISCORO_NOT_OWNER', setupRciLocate: 'ERR_DISCORO_NOT_OWNER', setupRciRun: 'ERR_DISCORO_NOT_OWNER', overwriteFile: 'ERR_DISCORO_NOT_OWNER', deleteFile: 'ERR_DISCORO_NOT_OWNER' };
    expect(await b.attack(a)).to.deep.equal(refused);
    expect(await a.attack(b)).to.deep.equal(refused);
    for (const [victim, name] of [[a, 'A'], [b, 'B']] as const) {
      expect(await victim.check()).to.deep.equal({ runningJobAlive: true, finishedValue: `the answer of ${name}`, file: `mine: ${name}\n` });
    }
    // The same requests from a server's own client are served (a control: the refusal is who asks, not what).
    const own = await a.attack(a, true);
    for (const [request, code] of Object.entries(own)) expect(code, request).to.not.equal('ERR_DISCORO_NOT_OWNER');
    expect([own.run, own.runShippedCode, own.overwriteFile, own.deleteFile]).to.deep.equal(['ok', 'ok', 'ok', 'ok']);
    expect(await a.check()).to.deep.include({ runningJobAlive: true, file: 'mine: A\n' });
  });
});
