import { expect } from 'chai';
import { MessageChannel } from 'node:worker_threads';
import { Network } from '../../../actors/remote/Network.js';
import { RemoteCoro } from '../../../actors/remote/RemoteCoro.js';
import { ThreadFunctions } from '../../../actors/threads/ThreadFunctions.js';
import { installThreadRequests } from '../../../actors/threads/threadRequests.js';
import { THREAD_SNAPSHOT, THREAD_SPAWN, THREAD_TERMINATE } from '../../../actors/threads/threadProtocol.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { newNodeId } from '../../../transports/net/hellos.js';
import { PortLink } from '../../../transports/net/PortLink.js';
import { RemoteError } from '../../../transports/net/netErrors.js';
import { networkFixture, THREAD_WORKERS } from '../../fixtures/index.js';
import { caught } from '../../helpers.js';

describe('thread requests (served to the nodes of the process only)', function () {
  this.timeout(20_000);
  const fx = networkFixture();

  /** A node serving the thread requests (over TCP too), and an in-process node linked to it by a port. */
  async function nodes(): Promise<{ thread: Network; owner: Network; outsider: Network }> {
    const thread = await fx.node({}, new Scheduler());
    installThreadRequests(thread, new ThreadFunctions(thread.name));
    const owner = await fx.node({ name: 'owner.t', inProcess: { incarnation: newNodeId(), listen: false } });
    const { port1, port2 } = new MessageChannel();
    owner.links.join({ nodeId: thread.incarnation, name: thread.name, location: thread.location }, (events) => new PortLink(port1, { initiator: true, judgesSilence: true }, events));
    thread.links.join({ nodeId: owner.incarnation, name: owner.name, location: owner.location }, (events) => new PortLink(port2, { initiator: false, judgesSilence: false }, events));
    const outsider = await fx.node({});
    return { thread, owner, outsider };
  }

  const code = async (p: Promise<unknown>): Promise<string | undefined> => ((await caught(() => p)) as RemoteError).code;

  it('thread-spawn starts the export as a coroutine there and answers its reference; thread-snapshot answers the scheduler\'s snapshot', async () => {
    const { thread, owner } = await nodes();
    const ref = await owner.request(thread.location, THREAD_SPAWN, [thread.incarnation, THREAD_WORKERS.href, 'counter', [0], null, 'named'], { timeout: 5000 });
    expect(ref).to.be.instanceOf(RemoteCoro);
    expect((ref as RemoteCoro).name).to.equal('named');
    const snap = (await owner.request(thread.location, THREAD_SNAPSHOT, null, { timeout: 5000 })) as { coroutines: Array<{ name: string }> };
    expect(snap.coroutines.map((c) => c.name)).to.include('named');
  });

  it('thread-terminate terminates a coroutine of this incarnation by id: true when it ran, false when it had ended or the incarnation is another', async () => {
    const { thread, owner } = await nodes();
    const ref = (await owner.request(thread.location, THREAD_SPAWN, [thread.incarnation, THREAD_WORKERS.href, 'counter', [0], null, 'victim'], { timeout: 5000 })) as RemoteCoro;
    const terminate = (incarnation: string, id: unknown): Promise<unknown> => owner.request(thread.location, THREAD_TERMINATE, [incarnation, id], { timeout: 5000 });
    expect(await terminate(newNodeId(), ref.id)).to.equal(false);
    expect(thread.scheduler.coro(ref.id)?.isAlive).to.equal(true);
    expect(await terminate(thread.incarnation, ref.id)).to.equal(true);
    expect(thread.scheduler.coro(ref.id)).to.equal(undefined);
    expect(await terminate(thread.incarnation, ref.id)).to.equal(false);
    for (const bad of [[thread.incarnation, 0], [thread.incarnation, 1.5], [thread.incarnation, '7'], [7, 1], [thread.incarnation]]) {
      expect(await code(owner.request(thread.location, THREAD_TERMINATE, bad, { timeout: 5000 })), JSON.stringify(bad)).to.equal('ERR_INVALID_ARGUMENT');
    }
  });

  it('a peer over TCP is told the requests do not exist', async () => {
    const { thread, outsider } = await nodes();
    expect(await code(outsider.request(thread.location, THREAD_TERMINATE, [thread.incarnation, 1], { timeout: 5000 }))).to.equal('ERR_UNKNOWN_REQUEST');
    expect(await code(outsider.request(thread.location, THREAD_SPAWN, [thread.incarnation, THREAD_WORKERS.href, 'counter', [], null, null], { timeout: 5000 }))).to.equal('ERR_UNKNOWN_REQUEST');
    expect(await code(outsider.request(thread.location, THREAD_SNAPSHOT, null, { timeout: 5000 }))).to.equal('ERR_UNKNOWN_REQUEST');
    expect(thread.scheduler.snapshot().coroutines).to.deep.equal([]);
  });

  it('a malformed request is InvalidArgumentError; one for an earlier incarnation is refused; nothing is started', async () => {
    const { thread, owner } = await nodes();
    const ask = (body: unknown): Promise<string | undefined> => code(owner.request(thread.location, THREAD_SPAWN, body, { timeout: 5000 }));
    const good = [thread.incarnation, THREAD_WORKERS.href, 'counter', [], null, null];
    for (const bad of [null, [], good.slice(0, 5), [1, ...good.slice(1)], [...good.slice(0, 2), '', ...good.slice(3)], [...good.slice(0, 3), 'args', ...good.slice(4)], [...good.slice(0, 4), 'watch', null], [...good.slice(0, 5), 7]]) {
      expect(await ask(bad), JSON.stringify(bad)).to.equal('ERR_INVALID_ARGUMENT');
    }
    expect(await ask([newNodeId(), ...good.slice(1)])).to.equal('ERR_UNKNOWN_REQUEST');
    expect(thread.scheduler.snapshot().coroutines).to.deep.equal([]);
  });
});
