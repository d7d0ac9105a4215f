import { expect } from 'chai';
import { Network } from '../../../actors/remote/Network.js';
import { RemoteCoro } from '../../../actors/remote/RemoteCoro.js';
import { Coro } from '../../../runtime/Coro.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { Location } from '../../../transports/net/Location.js';
import { killAllPeerProcesses, PeerProcess } from '../../fixtures/index.js';
import { PEER_INCARNATION } from '../../fixtures/peerIncarnation.js';
import { until } from '../../helpers.js';

const secret = 'remote coro spec secret';

/** What a call did: its value, or the error it threw. */
async function outcome<T>(p: Promise<T>): Promise<{ value?: T; error?: { code?: string; message: string } }> {
  try {
    return { value: await p };
  } catch (err) {
    return { error: err as { code?: string; message: string } };
  }
}

describe('RemoteCoro (real processes on 127.0.0.1)', function () {
  this.timeout(30_000);
  let sched: Scheduler;
  let net: Network;

  beforeEach(async () => {
    sched = new Scheduler();
    net = await Network.start(sched, { secret, discover: false });
  });
  afterEach(async () => {
    await net.stop();
    await sched.terminate();
  });
  after(killAllPeerProcesses);

  describe('a reference to a coroutine of a node that restarted (same port, same id and name)', () => {
    it('reaches nothing, sent right away or after the reconnect, while a reference located anew reaches the new coroutine', async () => {
      const first = await PeerProcess.start({ secret, extension: PEER_INCARNATION });
      const location = Location.parse(first.ready.location);
      const old = await Coro.locate('x', { scheduler: sched, location, timeout: 5000 });
      expect(old).to.be.instanceOf(RemoteCoro);
      const stale = old as RemoteCoro<string>;
      const x1 = await first.command({ cmd: 'x' });
      expect([stale.id, stale.name, stale.incarnation]).to.deep.equal([x1.id, 'x', first.ready.incarnation]);
      expect(await stale.deliver('to the first x', { timeout: 5000 })).to.equal(true);
      expect((await first.command({ cmd: 'x-received' })).received).to.deep.equal(['to the first x']);

      await first.kill('SIGKILL');
      await until(() => net.peerByIncarnation(first.ready.incarnation) === undefined);
      expect(stale.send('while the node is down'), 'its node is known lost: send tells').to.equal(false);
      const second = await PeerProcess.start({ secret, extension: PEER_INCARNATION, port: location.port });
      expect(second.ready.location).to.equal(first.ready.location);
      expect(second.ready.incarnation).to.not.equal(first.ready.incarnation);
      const x2 = await second.command({ cmd: 'x' });
      expect(x2).to.deep.equal(x1); // the same id and name again: only the incarnation tells them apart

      // Right away, before this node has reconnected (the failed dial while it was down holds
      // routing back for a second), and while net.peer below reconnects: queued on the new connection.
      const sent = [stale.send('right away')];
      const reconnecting = net.peer(location, { timeout: 5000 });
      sent.push(stale.send('during the reconnect'));
      expect((await reconnecting).incarnation).to.equal(second.ready.incarnation);
      const fresh = (await Coro.locate('x', { scheduler: sched, location, timeout: 5000 })) as RemoteCoro<string> | undefined;
      expect(fresh).to.be.instanceOf(RemoteCoro);
      expect([fresh!.id, fresh!.name, fresh!.incarnation]).to.deep.equal([x2.id, 'x', second.ready.incarnation]);

      // After the reconnect: a one-way send on the old reference, and a deliver that waits for an answer.
      sent.push(stale.send('after the reconnect'));
      // The old incarnation is known lost, and then known replaced: the old reference refuses at once.
      expect(sent).to.deep.equal([false, false, false]);
      const delivered = await outcome(stale.deliver('delivered on the old reference', { timeout: 2000 }));
      expect(delivered.value, 'a deliver on the old reference must not be acknowledged').to.equal(undefined);
      expect(delivered.error?.code).to.equal('ERR_CORO_FINISHED');

      // The fresh reference goes over the same connection, after every stale message: once it is
      // acknowledged, anything stale that was going to arrive has arrived.
      expect(await fresh!.deliver('to the second x', { timeout: 5000 })).to.equal(true);
      // Acknowledged means queued: ask until the coroutine has taken it, then nothing else may be there.
      let received: string[] = [];
      for (let i = 0; i < 200 && !received.includes('to the second x'); i++) received = (await second.command({ cmd: 'x-received' })).received;
      expect(received).to.deep.equal(['to the second x']);
      await second.kill('SIGKILL');
    });
  });
});
