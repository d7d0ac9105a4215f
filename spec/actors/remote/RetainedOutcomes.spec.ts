import { expect } from 'chai';
import { RemoteCoro } from '../../../actors/remote/RemoteCoro.js';
import type { Coro } from '../../../runtime/Coro.js';
import { CoroFinishedError, CoroTerminatedError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { Network } from '../../../actors/remote/Network.js';
import { RemoteError } from '../../../transports/net/netErrors.js';

describe('Outcomes of ended coroutines, for remote finish() and monitors', () => {
  let a: Scheduler;
  let b: Scheduler;
  let netA: Network;
  let netB: Network;
  beforeEach(async () => {
    a = new Scheduler();
    b = new Scheduler();
    netA = await Network.start(a, { secret: 's', discover: false });
    netB = await Network.start(b, { secret: 's', discover: false, seeds: [netA.location] });
  });
  afterEach(async () => {
    await netB.stop();
    await netA.stop();
    await b.terminate();
    await a.terminate();
  });

  const remoteOf = async (name: string): Promise<RemoteCoro> => {
    const ref = await netB.locateCoro(name, { location: netA.location, timeout: 3000 });
    expect(ref).to.be.instanceOf(RemoteCoro);
    return ref as RemoteCoro;
  };

  it('finish() on a remote coroutine that already returned gives its value', async () => {
    const worker = a.spawnWith({ name: 'worker' }, async (coro: Coro<number, number>) => (await coro.receive()) * 2);
    worker.register();
    const remote = await remoteOf('worker');
    remote.send(21);
    expect(await worker.value()).to.equal(42); // ended on its node before anyone asks
    expect(await remote.finish({ timeout: 3000 })).to.equal(42);
  });

  it('a late finish() learns of a failure (RemoteError with the message) and of termination', async () => {
    const failing = a.spawnWith({ name: 'failing' }, async (coro: Coro<string>) => {
      throw new Error(`bad input: ${await coro.receive()}`);
    });
    failing.register();
    const remote = await remoteOf('failing');
    remote.send('x');
    await failing.finish().catch(() => undefined);
    const err = await remote.finish({ timeout: 3000 }).catch((e) => e);
    expect(err).to.be.instanceOf(RemoteError);
    expect((err as RemoteError).remoteMessage).to.equal('bad input: x');

    const sleeper = a.spawnWith({ name: 'sleeper' }, async (coro) => coro.sleep(60_000));
    sleeper.register();
    const remoteSleeper = await remoteOf('sleeper');
    sleeper.terminate();
    await sleeper.finish().catch(() => undefined);
    expect(CoroTerminatedError.is(await remoteSleeper.finish({ timeout: 3000 }).catch((e) => e))).to.equal(true);
  });

  it('a coroutine whose reference never left its node is simply gone once it ended', async () => {
    const local = a.spawnWith({ name: 'private' }, async () => 1);
    await local.finish();
    const forged = new RemoteCoro(netB, netA.location, netA.incarnation, local.id, 'private');
    const err = await forged.finish({ timeout: 3000 }).catch((e) => e);
    expect(CoroFinishedError.is(err)).to.equal(true);
  });
});
