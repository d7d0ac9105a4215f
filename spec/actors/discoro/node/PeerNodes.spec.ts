/**
 * PeerNodes: the other discoronodes a node knows, through its peer network (two real nodes in
 * this process, the second seeded with the first, and a plain client peer that is no node).
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DiscoroNode } from '../../../../actors/discoro/node/DiscoroNode.js';
import { Network } from '../../../../actors/remote/Network.js';
import { Scheduler } from '../../../../runtime/Scheduler.js';
import { until } from '../../../helpers.js';
import { SECRET } from '../discoroFixture.js';

describe('PeerNodes (the nodes a node knows)', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peer-nodes-spec-'));
  let a: DiscoroNode;
  let b: DiscoroNode | undefined;
  let client: Network | undefined;
  before(async () => {
    a = await DiscoroNode.start({ cpus: 1, spareServers: 0, discover: false, secret: SECRET, destDir: path.join(dir, 'a'), name: 'node-a', dashboard: { port: 0 } });
    b = await DiscoroNode.start({ cpus: 1, spareServers: 0, discover: false, secret: SECRET, destDir: path.join(dir, 'b'), name: 'node-b', peers: [a.location], dashboard: { port: 0 } });
  });
  after(async () => {
    await client?.stop();
    await client?.scheduler.terminate();
    await b?.stop({ grace: 0 });
    await a?.stop({ grace: 0 });
    rmSync(dir, { recursive: true, force: true });
  });

  it('each node lists the other, with its state, CPUs, load, computations, jobs and dashboard address; a client peer is not listed', async () => {
    client = await Network.start(new Scheduler(), { secret: SECRET, discover: false, seeds: [a.location] });
    await until(() => a.peerNodes.length === 1 && b!.peerNodes.length === 1, 10_000, 'each knows the other');
    const seenByA = a.peerNodes[0]!;
    expect(seenByA).to.deep.include({ location: b!.location, name: 'node-b', state: 'serving', enabled: true, cpus: 1, computations: 0, jobs: { running: 0, done: 0, failed: 0 }, dashboard: b!.dashboardUrl });
    expect(seenByA.freeMemory).to.be.greaterThan(0);
    expect(seenByA.lastPulse).to.be.a('number');
    expect(b!.peerNodes[0]).to.deep.include({ location: a.location, name: 'node-a', dashboard: a.dashboardUrl });
    await until(() => a.scheduler.snapshot().peers.length >= 2, 10_000, 'the client is a peer of node-a');
    expect(a.peerNodes.map((n) => n.name)).to.deep.equal(['node-b']);
  });

  it('while the list is read, the nodes are asked again: a node disabled by its operator shows so', async () => {
    await b!.setEnabled(false);
    await until(() => a.peerNodes[0]?.state === 'disabled', 10_000, 'node-b disabled, seen by node-a');
    expect(a.peerNodes[0]!.enabled).to.equal(false);
    await b!.setEnabled(true);
    await until(() => a.peerNodes[0]?.state === 'serving', 10_000, 'node-b serving again');
  });

  it('a node that goes away is shown disconnected', async () => {
    const location = b!.location;
    await b!.stop({ grace: 0 });
    b = undefined;
    await until(() => a.peerNodes.find((n) => n.location === location)?.state === 'disconnected', 15_000, 'node-b disconnected');
  });
});
