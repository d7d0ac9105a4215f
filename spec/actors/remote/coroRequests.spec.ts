import { expect } from 'chai';
import { CORO_LAYER, CORO_LOCATE } from '../../../actors/remote/coroRequests.js';
import { RemoteWatches } from '../../../actors/remote/RemoteWatches.js';
import { incarnationTag } from '../../../transports/net/wireReference.js';
import type { Network } from '../../../actors/remote/Network.js';
import { RemoteCoro } from '../../../actors/remote/RemoteCoro.js';
import { Coro } from '../../../runtime/Coro.js';
import { MonitorStatus } from '../../../runtime/MonitorStatus.js';
import { RemoteError } from '../../../transports/net/netErrors.js';
import { networkFixture } from '../../fixtures/index.js';
import { caught, deferred, expectError, until } from '../../helpers.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Location } from '../../../transports/net/Location.js';

/** A reference to a coroutine of some other node, for statuses made by hand. */
const stub = new RemoteCoro(undefined, new Location('127.0.0.1', 1), '0'.repeat(32), 7, 'subject');

describe('coroRequests (the coroutine layer between two nodes)', function () {
  this.timeout(20_000);
  const { node } = networkFixture();
  let a: Network;
  let b: Network;
  beforeEach(async () => {
    a = await node({ secret: 'coro-requests' });
    b = await node({ secret: 'coro-requests', seeds: [a.location] });
    await a.peer(b.location, { timeout: 5000 });
    await until(() => b.peerByIncarnation(a.incarnation) !== undefined, 5000, 'b to see a online too'); // its side of the handshake may end later
  });
  const at = (type: string, body: unknown): Promise<unknown> => a.request(b.location, type, body, { timeout: 5000 });
  const code = async (p: Promise<unknown>): Promise<string | undefined> => {
    const err = await caught(() => p);
    expect(err).to.be.instanceOf(RemoteError);
    return err.code;
  };
  /** A coroutine at b that records what it receives. */
  const inbox = (name = 'inbox') => {
    const got: unknown[] = [];
    const coro = b.scheduler.spawnWith({ name, daemon: true }, async (c: Coro<unknown>) => {
      for (;;) got.push(await c.receive());
    });
    return { coro, got, ref: [b.incarnation, coro.id, coro.name] as const };
  };

  it('the layer carries coroutine references and makes the coroutine registry locatable', () => {
    expect(CORO_LAYER.locates).to.deep.equal([CORO_LOCATE]);
    expect(CORO_LAYER.references!.length).to.equal(3); // local and remote coroutines, and ask reply addresses
    expect(CORO_LOCATE.isFound(null)).to.equal(false);
  });

  it('send (one-way, [incarnationTag, id, name]) and deliver ([incarnation, id, name]) reach the live coroutine', async () => {
    const { coro, got, ref } = inbox();
    expect(a.post(b.location, 'send', [incarnationTag(ref[0] as string), ref[1], ref[2], 'posted'])).to.equal(true);
    expect(a.post(b.location, 'send', [incarnationTag('f'.repeat(32)), ref[1], ref[2], 'to an old incarnation: dropped'])).to.equal(true);
    expect(await at('deliver', [...ref, 'delivered', 1000])).to.equal(true);
    expect(await at('deliver', [...ref, 'no timeout', null])).to.equal(true);
    await until(() => got.length === 3);
    expect(got).to.deep.equal(['posted', 'delivered', 'no timeout']);
    coro.terminate();
  });

  it('deliver to a coroutine that is not there (ended, other incarnation, other name) is CoroFinishedError', async () => {
    const { coro, ref } = inbox();
    expect(await code(at('deliver', [ref[0], ref[1], 'other-name', 'x', null]))).to.equal('ERR_CORO_FINISHED');
    expect(await code(at('deliver', ['an-old-incarnation', ref[1], ref[2], 'x', null]))).to.equal('ERR_CORO_FINISHED');
    coro.terminate();
    await coro.finish().catch(() => undefined);
    expect(await code(at('deliver', [...ref, 'x', null]))).to.equal('ERR_CORO_FINISHED');
  });

  it('malformed bodies are InvalidArgumentError', async () => {
    const { coro, ref } = inbox();
    for (const [type, body] of [
      ['deliver', 'x'], ['deliver', [...ref, 'm']], ['deliver', [1, ref[1], ref[2], 'm', null]], ['deliver', [...ref, 'm', -5]], ['deliver', [...ref, 'm', '5']],
      ['terminate', [...ref, 'extra']], ['monitor', [...ref, 'not a number']], ['exited', [1, 'not a status']], ['exited', ['x', new MonitorStatus(stub, 'finished')]],
    ] as const) {
      expect(await code(at(type, body)), `${type} ${JSON.stringify(body)}`).to.equal('ERR_INVALID_ARGUMENT');
    }
    coro.terminate();
  });

  it('terminate is true for a live coroutine, false for one that is not there', async () => {
    const { coro, ref } = inbox();
    expect(await at('terminate', [...ref])).to.equal(true);
    await coro.finish().catch(() => undefined);
    expect(coro.isAlive).to.equal(false);
    expect(await at('terminate', [...ref])).to.equal(false);
  });

  it('throw raises the error in the coroutine at its pending call, as a RemoteError with the original name; false once it has ended; a body without an error is InvalidArgumentError', async () => {
    class Interrupt extends Error {
      override name = 'Interrupt';
    }
    const caughtThere: Error[] = [];
    const sleeper = b.scheduler.spawnWith({ name: 'sleeper' }, async (c: Coro) => {
      c.register();
      try {
        await c.sleep(60_000);
      } catch (err) {
        caughtThere.push(err as Error);
        return 'wrapped up';
      }
      return 'slept';
    });
    await until(() => b.scheduler.snapshot().coroutines.some((x) => x.name === 'sleeper' && x.state === 'sleeping'), 5000, 'the sleeper asleep');
    const remote = (await Coro.locate('sleeper', { scheduler: a.scheduler, location: b.location, timeout: 5000 })) as RemoteCoro<never, string>;
    expect(await remote.throw(new Interrupt('wrap up'))).to.equal(true);
    expect(await sleeper.finish()).to.equal('wrapped up');
    expect([caughtThere[0]!.name, (caughtThere[0] as RemoteError).remoteMessage]).to.deep.equal(['Interrupt', 'wrap up']);
    expect(await remote.throw(new Interrupt('too late'))).to.equal(false);
    expect(await code(at('throw', [b.incarnation, sleeper.id, 'sleeper', 'not an error']))).to.equal('ERR_INVALID_ARGUMENT');
    await expectError(() => remote.throw('no' as never), InvalidArgumentError);
  });

  it('monitor installs a watch: the status comes back through exited to the watch of the asking peer', async () => {
    const { coro, ref } = inbox('watched');
    const peer = a.peerByIncarnation(b.incarnation)!;
    const status = deferred<MonitorStatus>();
    const watchId = RemoteWatches.of(a).add(peer, coro, { send: (s: unknown) => (status.resolve(s as MonitorStatus), true) });
    expect(await at('monitor', [...ref, watchId])).to.equal(true);
    coro.terminate();
    const s = await status.promise;
    expect(s).to.be.instanceOf(MonitorStatus);
    expect(s.reason).to.equal('terminated');
  });

  it('monitor of an ended coroutine: false, unless its reference left its node (its outcome is kept)', async () => {
    const kept = b.scheduler.spawnWith({ name: 'kept' }, async (c: Coro<string, string>) => `got ${await c.receive()}`);
    const forgotten = b.scheduler.spawnWith({ name: 'forgotten' }, async () => 'gone');
    kept.register();
    const ref = (await a.locateCoro('kept', { location: b.location, timeout: 5000 })) as RemoteCoro; // its reference left b
    expect(ref).to.be.instanceOf(RemoteCoro);
    kept.send('x');
    await kept.finish();
    await forgotten.finish();
    const peer = a.peerByIncarnation(b.incarnation)!;
    const status = deferred<MonitorStatus>();
    const id = RemoteWatches.of(a).add(peer, kept, { send: (s: unknown) => (status.resolve(s as MonitorStatus), true) });
    expect(await at('monitor', [b.incarnation, kept.id, kept.name, id])).to.equal(true);
    expect((await status.promise).value).to.equal('got x');
    expect(await at('monitor', [b.incarnation, forgotten.id, forgotten.name, RemoteWatches.of(a).add(peer, forgotten, { send: () => true })])).to.equal(false);
  });

  it('locate [name, waitMs] answers a reference or null; a reference that comes home is the live Coro', async () => {
    const { coro } = inbox('findme');
    coro.register();
    const found = await at('locate', ['findme', 0, 1]);
    expect(found).to.be.instanceOf(RemoteCoro);
    expect(String(found)).to.equal(`findme/${coro.id}@${b.location}`);
    expect(await at('locate', ['nobody', 0, 2])).to.equal(null);
    // sent back to b, the reference is b's live coroutine again
    const echo = deferred<unknown>();
    b.handle('spec-echo', (body) => echo.resolve(body));
    a.post(b.location, 'spec-echo', found);
    expect(await echo.promise).to.equal(coro);
    expect(await echo.promise).to.be.instanceOf(Coro);
    coro.terminate();
  });

  it('a served watch posts the status back while the peer is online, without an outcome that cannot cross the wire', async () => {
    const peerOfA = b.peerByIncarnation(a.incarnation)!;
    const peer = a.peerByIncarnation(b.incarnation)!;
    const status = deferred<MonitorStatus>();
    const id = RemoteWatches.of(a).add(peer, stub, { send: (s: unknown) => (status.resolve(s as MonitorStatus), true) });
    const served = RemoteWatches.of(b).serving(peerOfA, id, false);
    expect(RemoteWatches.of(b).counts(peerOfA).watchedBy).to.equal(1);
    // An outcome that cannot cross the wire (a function) is reported without it.
    expect(served.send(new MonitorStatus(stub, 'finished', () => 'not encodable'))).to.equal(true);
    expect(RemoteWatches.of(b).counts(peerOfA).watchedBy, 'a watch ends once it reported').to.equal(0);
    const s = await status.promise;
    expect(s.reason).to.equal('finished');
    expect(s.value).to.equal(undefined);
    expect(String((s.error as Error).message)).to.match(/outcome not encodable/);
    expect(RemoteWatches.of(a).counts(peer).watching).to.equal(0);
  });
});
